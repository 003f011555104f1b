"""Pipeline workers: threads (in `smart serve`) or processes (`smart work`) that claim and run jobs."""
import logging
import os
import socket
import threading
import time

from django.db import close_old_connections, connections

from . import queue
from .process import run_job

log = logging.getLogger("smart.pipeline")


class Worker(threading.Thread):
    def __init__(self, index: int = 0, idle_sleep: float = 0.2, batch: int = 10):
        super().__init__(name=f"pipeline-worker-{index}", daemon=True)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{index}"
        self.idle_sleep, self.batch = idle_sleep, batch
        self.stop = threading.Event()
        self.processed = 0

    def run_once(self) -> int:
        """Claim and run one batch; returns how many jobs were run."""
        jobs = queue.claim(self.worker_id, limit=self.batch)
        for job in jobs:
            run_job(job)
            self.processed += 1
        return len(jobs)

    def run(self):
        last_release = 0.0
        try:
            while not self.stop.is_set():
                if time.monotonic() - last_release > 60:
                    queue.release_stale()
                    last_release = time.monotonic()
                try:
                    close_old_connections()
                    busy = self.run_once()
                except Exception:  # a database hiccup must not kill the worker
                    log.exception("worker loop error")
                    busy = 0
                if not busy:
                    self.stop.wait(self.idle_sleep)
        finally:
            connections.close_all()


def drain(max_jobs: int | None = None) -> int:
    """Run pending jobs in this thread until none is ready (tests, `smart work --drain`)."""
    worker = Worker()
    done = 0
    while max_jobs is None or done < max_jobs:
        ran = worker.run_once()
        if not ran:
            break
        done += ran
    return done


class Housekeeper(threading.Thread):
    """Daily chores of an embedded `smart serve`: retention, and forgetting finished jobs."""

    def __init__(self, every_s: float = 86400, first_after_s: float = 300, chores=()):
        super().__init__(name="housekeeper", daemon=True)
        self.every_s, self.first_after_s = every_s, first_after_s
        self.chores = tuple(chores)  # more callables from other stages (the prober's retention)
        self.stop = threading.Event()

    def run(self):
        from smart.metrics import retention

        wait = self.first_after_s
        while not self.stop.wait(wait):
            for chore in (retention.run, queue.prune_finished, *self.chores):
                try:
                    close_old_connections()
                    chore()
                except Exception:
                    log.exception("housekeeping chore %s failed", getattr(chore, "__module__", chore))
            wait = self.every_s
        connections.close_all()
