"""Parse failures, identity mismatches, status files and job failures each end in a specific, visible state."""

from smart.metrics.models import DiskFree, IdentityMismatch, InstallationState, StatusSample
from smart.pipeline.models import ProcessingJob

from .reports import STATUS, as_zip, sysinfo, utc


def test_truncated_zip_gets_parse_status_and_job_is_done(deliver, status_json):
    good = as_zip(sysinfo(utc(2026, 11, 26, 9)))
    report = deliver(good[: len(good) // 2])
    assert report.status == "truncated"
    assert report.jobs.get().state == "done"
    assert status_json()["reports"][0]["status"] == "truncated"
    assert status_json()["latest"] is None


def test_identity_mismatch_is_recorded_not_merged(deliver, roga, status_json):
    deliver(as_zip(sysinfo(utc(2026, 11, 26, 9))))
    other = deliver(as_zip(sysinfo(utc(2026, 11, 26, 10), regnum="999999", legal_name="АО Другое")))
    assert other.status == "identity_mismatch"
    assert set(IdentityMismatch.objects.filter(report=other).values_list("field", flat=True)) == {"regnum", "legal_name"}
    state = InstallationState.objects.get(installation=roga)
    assert (state.regnum, state.report_time) == ("123456", utc(2026, 11, 26, 9))
    assert status_json()["latest"]["regnum"] == "123456"


def test_status_file_is_curated(deliver, roga, status_json):
    report = deliver(STATUS, "ROGA.status")
    assert report.status == "ok" and report.report_time == utc(2026, 11, 26, 10)
    sample = StatusSample.objects.get(installation=roga)
    assert (sample.up, sample.product_control, sample.dated) == (1, 1, True)
    assert InstallationState.objects.get(installation=roga).status_values["version"] == "6.4.5.46"
    disk = DiskFree.objects.get(installation=roga)
    assert (disk.path, disk.free_bytes, disk.total_bytes) == ("D:", 5_000_000_000, 100_000_000_000)
    assert status_json()["latest"] is None  # no sysinfo yet: the latest *report* state is unknown


def test_error_page_in_status_gets_error_page_status(deliver):
    page = b"HTTP/1.1 503 Service Unavailable\r\n\r\n<html><title>503</title></html>"
    report = deliver(page, "ROGA.status")
    assert report.status == "error_page"


def test_unexpected_failure_retries_then_sets_aside(deliver, monkeypatch, settings):
    from smart.pipeline import process

    settings.SMART_JOB_MAX_ATTEMPTS = 2

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(process, "store_sysinfo", broken)
    report = deliver(as_zip(sysinfo(utc(2026, 11, 26, 9))))
    job = ProcessingJob.objects.get(report=report)
    assert (job.state, job.attempts) == ("pending", 1) and "disk on fire" in job.last_error
    ProcessingJob.objects.filter(pk=job.pk).update(not_before=job.created_at)
    from smart.pipeline.worker import drain

    drain()
    job.refresh_from_db()
    assert job.state == "set_aside"
    report.refresh_from_db()
    assert report.status == "queued"  # nothing half-stored: the report waits for `smart reprocess --set-aside`


def test_accepting_a_new_identity_processes_held_reports(deliver, roga, status_json):
    from django.core.management import call_command

    from smart.pipeline.worker import drain

    deliver(as_zip(sysinfo(utc(2026, 11, 26, 9))))
    held = deliver(as_zip(sysinfo(utc(2026, 11, 26, 10), regnum="999999", legal_name="АО Другое")))
    assert held.status == "identity_mismatch"
    call_command("accept-identity", "--dealer", "0042", "--name", "ROGA")
    drain()
    held.refresh_from_db()
    assert held.status == "ok"
    latest = status_json()["latest"]
    assert (latest["regnum"], latest["legal_name"], latest["report_time"]) == ("999999", "АО Другое", utc(2026, 11, 26, 10).isoformat())
    assert not IdentityMismatch.objects.filter(installation=roga).exists()
