"""The job queue: concurrent workers never claim the same job; failures back off, then are set aside."""
import threading

import pytest
from django.db import connection, connections

from smart.ingest.archive import store_bytes
from smart.ingest.models import Report
from smart.pipeline import queue
from smart.pipeline.models import ProcessingJob


def make_reports(dealer, n):
    sha, _ = store_bytes(b"content")
    return [
        Report.objects.create(dealer=dealer, name=f"N{i}", file_name=f"N{i}.zip", stream="sysinfo", channel="legacy",
                              kind="zip", sha256=sha, size=7)
        for i in range(n)
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_share_a_job(dealer):
    for report in make_reports(dealer, 60):
        queue.enqueue(report)
    claimed, errors = [], []

    def worker(name):
        try:
            while True:
                jobs = queue.claim(name, limit=3)
                if not jobs:
                    return
                claimed.extend(j.id for j in jobs)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(claimed) == sorted(ProcessingJob.objects.values_list("id", flat=True))
    assert len(claimed) == len(set(claimed)) == 60
    assert ProcessingJob.objects.filter(state="running").count() == 60


def test_claim_uses_skip_locked_where_available(dealer):
    queue.enqueue(make_reports(dealer, 1)[0])
    [job] = queue.claim("w1")
    assert job.state == "running" and job.claimed_by == "w1"
    assert queue.claim("w2") == []
    assert connection.features.has_select_for_update_skip_locked == (connection.vendor == "postgresql")


def test_fail_backs_off_then_sets_aside(dealer, settings):
    settings.SMART_JOB_MAX_ATTEMPTS = 2
    queue.enqueue(make_reports(dealer, 1)[0])
    [job] = queue.claim("w")
    assert queue.fail(job, "boom") == "pending"
    job.refresh_from_db()
    assert job.attempts == 1 and job.not_before > job.created_at and queue.claim("w") == []
    ProcessingJob.objects.filter(id=job.id).update(not_before=job.created_at)
    [job] = queue.claim("w")
    assert queue.fail(job, "boom again") == "set_aside"
    job.refresh_from_db()
    assert (job.state, job.last_error) == ("set_aside", "boom again")


def test_complete_and_release_stale(dealer):
    from datetime import timedelta

    from django.utils import timezone

    reports = make_reports(dealer, 2)
    for report in reports:
        queue.enqueue(report)
    first, second = queue.claim("w", limit=2)
    queue.complete(first)
    ProcessingJob.objects.filter(id=second.id).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert queue.release_stale() == 1
    assert ProcessingJob.objects.get(id=first.id).state == "done"
    assert ProcessingJob.objects.get(id=second.id).state == "pending"


def test_finished_jobs_are_forgotten_after_a_day(dealer):
    from datetime import timedelta

    from django.utils import timezone

    queue.enqueue(make_reports(dealer, 1)[0])
    [job] = queue.claim("w")
    queue.complete(job)
    assert queue.prune_finished() == 0
    ProcessingJob.objects.filter(id=job.id).update(finished_at=timezone.now() - timedelta(days=2))
    assert queue.prune_finished() == 1
