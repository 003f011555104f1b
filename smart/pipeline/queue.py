"""The processing queue: jobs are rows, claimed so that two workers never take the same one.

PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED`. SQLite (one writer at a time): a compare-and-set
`UPDATE … WHERE state = 'pending'` whose row count says who won.
"""
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import ProcessingJob

State = ProcessingJob.State


def enqueue(report) -> ProcessingJob:
    return ProcessingJob.objects.create(report=report)


def _ready():
    return ProcessingJob.objects.filter(state=State.PENDING, not_before__lte=timezone.now())


def claim(worker: str, limit: int = 1) -> list[ProcessingJob]:
    """Take up to `limit` ready jobs for this worker (oldest first)."""
    now = timezone.now()
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(
                _ready().order_by("not_before", "id").select_for_update(skip_locked=True).values_list("id", flat=True)[:limit]
            )
            ProcessingJob.objects.filter(id__in=ids).update(state=State.RUNNING, claimed_by=worker, claimed_at=now)
    else:
        ids = []
        for job_id in _ready().order_by("not_before", "id").values_list("id", flat=True)[: limit * 4]:
            won = ProcessingJob.objects.filter(id=job_id, state=State.PENDING).update(
                state=State.RUNNING, claimed_by=worker, claimed_at=now
            )
            if won:
                ids.append(job_id)
            if len(ids) >= limit:
                break
    return list(ProcessingJob.objects.filter(id__in=ids).select_related("report").order_by("id"))


def complete(job: ProcessingJob) -> None:
    ProcessingJob.objects.filter(id=job.id).update(state=State.DONE, finished_at=timezone.now(), last_error="")


def fail(job: ProcessingJob, error: str) -> str:
    """Record a failed attempt: retry later with back-off, or set the job aside after the last attempt."""
    attempts = job.attempts + 1
    if attempts >= settings.SMART_JOB_MAX_ATTEMPTS:
        state, not_before = State.SET_ASIDE, timezone.now()
    else:
        state, not_before = State.PENDING, timezone.now() + timedelta(seconds=min(3600, 5 * 4**attempts))
    ProcessingJob.objects.filter(id=job.id).update(
        state=state, attempts=attempts, not_before=not_before, last_error=error[:4000], claimed_by=""
    )
    return state


def release_stale(older_than: timedelta = timedelta(minutes=10)) -> int:
    """Put back jobs whose worker died while holding them."""
    cutoff = timezone.now() - older_than
    return ProcessingJob.objects.filter(state=State.RUNNING, claimed_at__lt=cutoff).update(
        state=State.PENDING, claimed_by=""
    )


def prune_finished(older_than: timedelta = timedelta(days=1)) -> int:
    """Forget jobs done more than a day ago (the report keeps its status; failures stay visible)."""
    deleted, _ = ProcessingJob.objects.filter(state=State.DONE, finished_at__lt=timezone.now() - older_than).delete()
    return deleted
