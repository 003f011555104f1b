"""The prober's scheduler: per-target cadences with jitter, back-off for dead targets, concurrency
limits per host and globally, never two runs of one job at once, and a restart without a burst.

Pure asyncio, no Django: the prober gives it jobs and a coroutine that runs one.
"""
import asyncio
import heapq
import itertools
import logging
import random
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

log = logging.getLogger("smart.probes")

# How far a dead target's interval stretches (D §1.4: probes must still see a recovery within two
# intervals; pulls and scrapes of a dead target can wait longer).
BACKOFF_CAP = {"probe": 2, "session": 2, "licman": 2, "pull_sysinfo": 4, "pull_status": 4, "billing": 4, "searches": 1}
BACKOFF_AFTER = 3  # consecutive failed runs before the interval stretches
RESUME_SPREAD_CAP = 300.0  # overdue jobs at start are spread over min(interval, this) seconds


@dataclass
class Job:
    key: str  # unique: "<target>:<kind>"
    kind: str
    target: object
    interval: float  # seconds
    host: str  # concurrency limit per host
    first_due: float | None = None  # wall-clock epoch seconds of a fixed first run (nightly jobs)
    due: float = 0.0  # monotonic
    running: bool = False
    failures: int = 0
    generation: int = 0
    memory: dict = field(default_factory=dict)  # per-target facts kept between runs (last known IP)


class Scheduler:
    def __init__(self, run_job, sink, global_limit: int = 256, per_host: int = 4, rng: random.Random | None = None,
                 jitter: float = 0.02):
        self.run_job, self.sink = run_job, sink
        self.global_limit, self.per_host = global_limit, per_host
        self.jitter = jitter
        self.random = rng or random.Random()
        self.jobs: dict[str, Job] = {}
        self.heap: list = []
        self.counter = itertools.count()
        self.wake = asyncio.Event()
        self.global_sem = asyncio.Semaphore(global_limit)
        self.host_sems: dict[str, asyncio.Semaphore] = {}
        self.delays: deque = deque(maxlen=50000)  # seconds between a job's due time and its start
        self.runs = 0
        self.overlaps = 0  # must stay 0: a job found running when it came due again
        self.tasks: set = set()

    # ---- jobs ---------------------------------------------------------------------------------------

    def sync(self, jobs: list[Job], last_runs: dict[str, datetime] | None = None) -> None:
        """Make the job set equal to `jobs`: new ones are scheduled from their last run (a restart
        resumes the cadence; overdue jobs are spread over an interval), changed ones keep their state."""
        last_runs = last_runs or {}
        wanted = {job.key: job for job in jobs}
        for key in list(self.jobs):
            if key not in wanted:
                self.jobs.pop(key).generation = -1
        now_mono, now_wall = time.monotonic(), time.time()
        for key, job in wanted.items():
            current = self.jobs.get(key)
            if current is not None:
                current.target, current.interval, current.host = job.target, job.interval, job.host
                continue
            self.jobs[key] = job
            job.due = now_mono + self._first_delay(job, last_runs.get(key), now_wall)
            self._push(job)
        self.wake.set()

    def _first_delay(self, job: Job, last_run: datetime | None, now_wall: float) -> float:
        if job.first_due is not None:
            return max(0.0, job.first_due - now_wall)
        if last_run is not None:
            remaining = job.interval - (now_wall - last_run.timestamp())
            if remaining > 0:
                return remaining + self.random.uniform(0, self.jitter * job.interval)
        return self.random.uniform(0, min(job.interval, RESUME_SPREAD_CAP))

    def _push(self, job: Job) -> None:
        job.generation += 1
        heapq.heappush(self.heap, (job.due, next(self.counter), job.key, job.generation))

    # ---- loop ---------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            now = time.monotonic()
            while self.heap and self.heap[0][0] <= now:
                due, _, key, generation = heapq.heappop(self.heap)
                job = self.jobs.get(key)
                if job is None or job.generation != generation:
                    continue  # removed or rescheduled since
                if job.running:
                    self.overlaps += 1
                    continue
                job.running = True
                task = asyncio.create_task(self._run(job, due))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            timeout = min(1.0, self.heap[0][0] - now) if self.heap else 1.0
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=max(0.0, timeout))
            except (asyncio.TimeoutError, TimeoutError):
                pass
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _run(self, job: Job, due: float) -> None:
        results = []
        try:
            sem = self.host_sems.get(job.host)
            if sem is None:
                sem = self.host_sems[job.host] = asyncio.Semaphore(self.per_host)
            async with self.global_sem, sem:
                self.delays.append(time.monotonic() - due)
                self.runs += 1
                results = await self.run_job(job)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - one broken job must not stop the prober
            log.exception("probe job %s failed", job.key)
        finally:
            job.running = False
        ok = any(r.ok for r in results) if results else False
        job.failures = 0 if ok else job.failures + 1
        for r in results:
            if r.data.get("ip"):
                job.memory["ip"] = r.data["ip"]
        if job.generation >= 0 and self.jobs.get(job.key) is job:
            job.due = self._next_due(job, due)
            self._push(job)
            self.wake.set()
        if results:
            self.sink(results)

    def _next_due(self, job: Job, due: float) -> float:
        stretch = 1
        if job.failures >= BACKOFF_AFTER:
            stretch = min(2 ** (job.failures - BACKOFF_AFTER + 1), BACKOFF_CAP.get(job.kind, 2))
        step = job.interval * stretch * (1 + self.random.uniform(-self.jitter, self.jitter))
        following = due + step
        now = time.monotonic()
        return following if following > now else now + self.random.uniform(0, min(1.0, job.interval / 10))

    def delay_percentile(self, q: float) -> float:
        if not self.delays:
            return 0.0
        ordered = sorted(self.delays)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
