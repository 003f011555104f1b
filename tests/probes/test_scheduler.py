"""The scheduler alone (no network, no database): cadence, exclusivity, limits, back-off, resume."""
import asyncio
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from smart.probes.results import Result
from smart.probes.scheduler import BACKOFF_AFTER, Job, Scheduler

UTC = timezone.utc


def _result(ok=True):
    return Result(check="tcp", ok=ok, at=datetime.now(UTC), installation_id=1, dealer_id=1)


async def _drive(scheduler: Scheduler, seconds: float):
    stop = asyncio.Event()
    runner = asyncio.create_task(scheduler.run(stop))
    await asyncio.sleep(seconds)
    stop.set()
    await runner


def test_each_job_keeps_its_interval():
    starts = defaultdict(list)

    async def run_job(job):
        starts[job.key].append(time.monotonic())
        return [_result()]

    async def main():
        s = Scheduler(run_job, lambda results: None, rng=random.Random(1), jitter=0.0)
        s.sync([Job("a:probe", "probe", None, 0.2, "h1"), Job("b:probe", "probe", None, 0.5, "h2")])
        await _drive(s, 2.2)
        return s

    s = asyncio.run(main())
    gaps_a = [b - a for a, b in zip(starts["a:probe"], starts["a:probe"][1:])]
    gaps_b = [b - a for a, b in zip(starts["b:probe"], starts["b:probe"][1:])]
    assert len(starts["a:probe"]) >= 8 and len(starts["b:probe"]) >= 3
    assert all(0.15 < g < 0.3 for g in gaps_a), gaps_a
    assert all(0.4 < g < 0.65 for g in gaps_b), gaps_b
    assert s.delay_percentile(0.99) < 0.1


def test_a_slow_job_never_runs_twice_at_once():
    running, seen_overlap, runs = set(), [], []

    async def run_job(job):
        if job.key in running:
            seen_overlap.append(job.key)
        running.add(job.key)
        runs.append(job.key)
        await asyncio.sleep(0.35)  # longer than its 0.1 s interval
        running.discard(job.key)
        return [_result()]

    async def main():
        s = Scheduler(run_job, lambda results: None, rng=random.Random(2))
        s.sync([Job("slow:probe", "probe", None, 0.1, "h")])
        await _drive(s, 1.6)
        return s

    s = asyncio.run(main())
    assert 3 <= len(runs) <= 5
    assert seen_overlap == [] and s.overlaps == 0


def test_concurrency_is_limited_per_host_and_globally():
    current, peak = defaultdict(int), defaultdict(int)
    total = {"now": 0, "peak": 0}

    async def run_job(job):
        current[job.host] += 1
        total["now"] += 1
        peak[job.host] = max(peak[job.host], current[job.host])
        total["peak"] = max(total["peak"], total["now"])
        await asyncio.sleep(0.1)
        current[job.host] -= 1
        total["now"] -= 1
        return [_result()]

    async def main():
        s = Scheduler(run_job, lambda results: None, global_limit=5, per_host=2, rng=random.Random(3))
        jobs = [Job(f"j{i}:probe", "probe", None, 0.05, f"host{i % 3}") for i in range(12)]
        s.sync(jobs)
        await _drive(s, 1.0)

    asyncio.run(main())
    assert max(peak.values()) == 2
    assert total["peak"] == 5


def test_a_dead_target_backs_off_to_its_cap():
    starts = []

    async def run_job(job):
        starts.append(time.monotonic())
        return [_result(ok=False)]

    async def main():
        s = Scheduler(run_job, lambda results: None, rng=random.Random(4), jitter=0.0)
        s.sync([Job("dead:pull_sysinfo", "pull_sysinfo", None, 0.1, "h")])
        await _drive(s, 3.0)

    asyncio.run(main())
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # The first BACKOFF_AFTER - 1 gaps keep the interval, then 2x, then the cap (4x for pulls).
    assert all(g < 0.15 for g in gaps[:BACKOFF_AFTER - 1]), gaps
    assert 0.17 < gaps[BACKOFF_AFTER - 1] < 0.25, gaps
    assert all(0.35 < g < 0.5 for g in gaps[BACKOFF_AFTER + 1:]), gaps


def test_probe_backoff_is_capped_at_two_intervals():
    starts = []

    async def run_job(job):
        starts.append(time.monotonic())
        return [_result(ok=False)]

    async def main():
        s = Scheduler(run_job, lambda results: None, rng=random.Random(5), jitter=0.0)
        s.sync([Job("dead:probe", "probe", None, 0.1, "h")])
        await _drive(s, 2.0)

    asyncio.run(main())
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert max(gaps) < 0.25, gaps  # an outage's end is still seen within two intervals


def test_a_restart_resumes_the_cadence_without_a_burst():
    first_start = {}

    async def run_job(job):
        first_start.setdefault(job.key, time.monotonic())
        return [_result()]

    async def main():
        s = Scheduler(run_job, lambda results: None, rng=random.Random(6), jitter=0.0)
        now = datetime.now(UTC)
        recent = [Job(f"r{i}:probe", "probe", None, 1.0, f"h{i}") for i in range(20)]
        overdue = [Job(f"o{i}:probe", "probe", None, 1.0, f"g{i}") for i in range(40)]
        last_runs = {job.key: now - timedelta(seconds=0.7) for job in recent}
        last_runs.update({job.key: now - timedelta(hours=5) for job in overdue})
        started = time.monotonic()
        s.sync(recent + overdue, last_runs)
        await _drive(s, 1.1)
        return started, recent, overdue

    started, recent, overdue = asyncio.run(main())
    for job in recent:  # they ran 0.7 s before the restart: next run 0.3 s after it, not at once
        assert first_start[job.key] - started > 0.25
    offsets = sorted(first_start[job.key] - started for job in overdue)
    assert len(offsets) == 40
    # overdue jobs are spread over the interval, not fired together
    assert sum(1 for o in offsets if o < 0.1) <= 10
    assert offsets[-1] > 0.6


def test_removed_jobs_stop():
    runs = defaultdict(int)

    async def run_job(job):
        runs[job.key] += 1
        return [_result()]

    async def main():
        s = Scheduler(run_job, lambda results: None, rng=random.Random(7), jitter=0.0)
        s.sync([Job("keep:probe", "probe", None, 0.1, "h"), Job("drop:probe", "probe", None, 0.1, "h")])
        await _drive(s, 0.5)
        before = runs["drop:probe"]
        s.sync([Job("keep:probe", "probe", None, 0.1, "h")])
        await _drive(s, 0.5)
        return before

    before = asyncio.run(main())
    assert runs["drop:probe"] == before
    assert runs["keep:probe"] > before + 2
