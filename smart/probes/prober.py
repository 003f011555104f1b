"""The prober: one asyncio loop (in its own thread inside `smart serve`, or alone with `smart probe`)
running every check, pull and scrape on its schedule, and a writer thread committing the results in
batches."""
import asyncio
import logging
import queue
import threading
from datetime import datetime, time as dtime, timedelta, timezone
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import close_old_connections, connections

from . import checks, session
from .models import Check, CheckState
from .results import target_key
from .scheduler import Job, Scheduler
from .store import Recorder
from .targets import installation_targets, online_accesses

log = logging.getLogger("smart.probes")
UTC = timezone.utc
MOSCOW = ZoneInfo("Europe/Moscow")
NIGHT = (dtime(2, 0), 2 * 3600)  # search history is collected between 02:00 and 04:00 Moscow time (C §11(b) #2)

# The check whose last run a job resumes from after a restart.
PRIMARY = {"probe": Check.TCP, "session": Check.AUTH, "licman": Check.LICMAN_TCP, "pull_sysinfo": Check.PULL_SYSINFO,
           "pull_status": Check.PULL_STATUS, "billing": Check.BILLING, "searches": Check.SEARCHES}


def next_night(now: datetime, rng) -> float:
    """Epoch seconds of a random moment in the next night window (Moscow time)."""
    local = now.astimezone(MOSCOW)
    start = datetime.combine(local.date(), NIGHT[0], tzinfo=MOSCOW)
    if local >= start + timedelta(seconds=NIGHT[1]):
        start += timedelta(days=1)
    elif local >= start:
        return now.timestamp() + rng.uniform(0, 60)
    return start.timestamp() + rng.uniform(0, NIGHT[1])


def primary_key(job: Job) -> str:
    t = job.target
    return target_key(getattr(t, "installation_id", None), getattr(t, "online_access_id", None), PRIMARY[job.kind])


def build_jobs(rng, now: datetime | None = None) -> tuple[list[Job], dict]:
    """Jobs for every live pulled installation and online access, and their last runs (for resuming)."""
    from .online import OnlineTarget

    now = now or datetime.now(UTC)
    jobs = []
    for t in installation_targets():
        key = f"i{t.installation_id}"
        jobs.append(Job(f"{key}:probe", "probe", t, t.probe_interval, t.connect_host))
        if t.smartlogin_password:
            jobs.append(Job(f"{key}:session", "session", t, t.probe_interval, t.connect_host))
        if t.licman_port:
            jobs.append(Job(f"{key}:licman", "licman", t, t.probe_interval, t.licman_host or t.connect_host))
        if t.download:
            jobs.append(Job(f"{key}:pull_sysinfo", "pull_sysinfo", t, t.sysinfo_interval, t.connect_host))
            jobs.append(Job(f"{key}:pull_status", "pull_status", t, t.status_interval, t.connect_host))
    for access in online_accesses():
        t = OnlineTarget.from_access(access)
        jobs.append(Job(f"o{access.id}:billing", "billing", t, settings.SMART_ONLINE_BILLING_INTERVAL_S, t.host))
        jobs.append(Job(f"o{access.id}:searches", "searches", t, 86400, t.host))
    keys = {primary_key(job): job for job in jobs}
    last_runs, memory = {}, {}
    states = CheckState.objects.filter(target_key__in=list(keys)).values_list("target_key", "last_run_at", "extra")
    for key, last_run, extra in states:
        if last_run:
            last_runs[keys[key].key] = last_run
        if extra.get("ip"):
            memory[keys[key].key] = extra["ip"]
    for job in jobs:
        if job.kind == "probe" and job.key in memory:
            job.memory["ip"] = memory[job.key]
        if job.kind == "searches":
            last = last_runs.get(job.key)
            if last is not None and last.astimezone(MOSCOW).date() >= now.astimezone(MOSCOW).date():
                job.first_due = next_night(now + timedelta(hours=4), rng)  # tonight's run is done
            elif last is not None:
                job.first_due = next_night(now, rng)
    return jobs, last_runs


async def run_job(job: Job) -> list:
    t = job.target
    if job.kind == "probe":
        parts = [checks.tcp_check(t), checks.main_page_checks(t, job.memory)]
        if t.ping:
            parts.append(checks.icmp_check(t))
        found = await asyncio.gather(*parts)
        return [r for part in found for r in (part if isinstance(part, list) else [part])]
    if job.kind == "session":
        return await session.session_checks(t)
    if job.kind == "licman":
        return await checks.licman_checks(t)
    if job.kind == "pull_sysinfo":
        result, content = await session.pull_sysinfo(t)
        return [await session.deliver(t, result, content, "zip")]
    if job.kind == "pull_status":
        result, content = await session.pull_status(t)
        return [await session.deliver(t, result, content, "status")]
    from . import online

    if job.kind == "billing":
        return [await online.scrape_billing(t)]
    if job.kind == "searches":
        day = datetime.now(MOSCOW).date() - timedelta(days=1)
        return [await online.scrape_searches(t, day)]
    raise ValueError(f"unknown job kind {job.kind}")


class Writer(threading.Thread):
    """Commits results in batches (every `every` seconds or `batch` results)."""

    def __init__(self, every: float = 0.5, batch: int = 2000):
        super().__init__(name="probe-writer", daemon=True)
        self.queue: queue.Queue = queue.Queue()
        self.every, self.batch = every, batch
        self.stop = threading.Event()
        self.recorder = Recorder()
        self.written = 0

    def put(self, results: list) -> None:
        self.queue.put(results)

    def flush(self) -> int:
        pending = []
        while len(pending) < self.batch:
            try:
                pending.extend(self.queue.get_nowait())
            except queue.Empty:
                break
        if pending:
            from .online import store_online

            close_old_connections()
            # counters first: recording the results evaluates the quota rules, which read them
            store_online([r for r in pending if r.ok and r.check in (Check.BILLING, Check.SEARCHES)])
            self.recorder.record(pending)
            self.written += len(pending)
        return len(pending)

    def run(self):
        try:
            while not self.stop.wait(self.every):
                try:
                    while self.flush():
                        pass
                except Exception:  # noqa: BLE001 - a database hiccup must not kill the writer
                    log.exception("probe writer error")
            self.flush()
        finally:
            connections.close_all()


class Prober(threading.Thread):
    """The whole active collection in one thread: scheduler, registry refresh, writer."""

    def __init__(self, refresh_every: float = 60.0, global_limit: int = 256, per_host: int = 4, seed: int | None = None):
        super().__init__(name="prober", daemon=True)
        import random

        self.rng = random.Random(seed)
        self.refresh_every = refresh_every
        self.limits = (global_limit, per_host)
        self.writer = Writer()
        self.scheduler: Scheduler | None = None
        self.ready = threading.Event()
        self._stop_event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def run(self):
        self.writer.start()
        try:
            asyncio.run(self._main())
        finally:
            self.writer.stop.set()
            self.writer.join(30)
            connections.close_all()

    async def _main(self):
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        self.scheduler = Scheduler(run_job, self.writer.put, *self.limits, rng=self.rng)
        runner = asyncio.create_task(self.scheduler.run(self._stop_event))
        while not self._stop_event.is_set():
            try:
                jobs, last_runs = await asyncio.to_thread(self._load)
                self.scheduler.sync(jobs, last_runs)
            except Exception:  # noqa: BLE001
                log.exception("prober: reading the registry failed")
            self.ready.set()
            try:
                await asyncio.wait_for(self._stop_event.wait(), self.refresh_every)
            except (asyncio.TimeoutError, TimeoutError):
                pass
        await runner

    def _load(self):
        close_old_connections()
        try:
            return build_jobs(self.rng)
        finally:
            connections.close_all()

    def shutdown(self, timeout: float = 30) -> None:
        if self._loop is not None and self._stop_event is not None:
            self._loop.call_soon_threadsafe(self._stop_event.set)
        self.join(timeout)
