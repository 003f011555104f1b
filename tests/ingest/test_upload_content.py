"""Content: sniffed kinds, error pages, empty files, duplicates; archived durably under sha256."""
import hashlib

from smart.ingest.archive import object_path
from smart.ingest.models import Report
from smart.pipeline.models import ProcessingJob

from .conftest import attempts
from .samples import ERROR_PAGE_401, STATUS, sysinfo_zip


def test_accepted_report_is_in_archive_under_its_hash(smart, registry):
    content = sysinfo_zip()
    assert smart.upload(content, "ROGA.zip").status_code == 200
    digest = hashlib.sha256(content).hexdigest()
    assert object_path(digest).read_bytes() == content
    assert Report.objects.get().sha256 == digest


def test_identical_content_again_is_no_new_data(smart, registry):
    content = sysinfo_zip()
    smart.upload(content, "ROGA.zip")
    again = smart.upload(content, "ROGA.zip")
    assert again.status_code == 200 and again.json()["code"] == "no_new_data"
    assert [r.status for r in Report.objects.order_by("id")] == ["queued", "no_new_data"]
    assert ProcessingJob.objects.count() == 1
    assert smart.upload(sysinfo_zip("2"), "ROGA.zip").json() == {"ok": True, "path": "/files/ROGA.zip"}


def test_html_error_page_is_422_collector_error_page_with_status(smart, registry):
    response = smart.upload(ERROR_PAGE_401, "ROGA.status")
    assert (response.status_code, response.json()["code"]) == (422, "collector_error_page")
    report = Report.objects.get()
    assert (report.kind, report.status, report.http_status) == ("error_page", "collector_error_page", 401)
    assert report.jobs.count() == 1  # processing raises CollectorErrorPage from it
    assert attempts()[0].code == "collector_error_page"


def test_html_saved_as_zip_is_error_page(smart, registry):
    page = b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>maintenance</body></html>"
    response = smart.upload(page, "ROGA.zip")
    assert response.json()["code"] == "collector_error_page"
    assert Report.objects.get().http_status == 503


def test_empty_file_is_422(smart, registry):
    response = smart.upload(b"", "ROGA.zip")
    assert (response.status_code, response.json()["code"]) == (422, "empty_file")
    assert Report.objects.get().status == "empty"
    assert ProcessingJob.objects.count() == 0


def test_garbage_is_422_unknown_content(smart, registry):
    response = smart.upload(b"\x00\x01binary junk that is no report", "ROGA.zip")
    assert (response.status_code, response.json()["code"]) == (422, "unknown_content")


def test_status_file_kind(smart, registry):
    assert smart.upload(STATUS, "ROGA.status").status_code == 200
    assert Report.objects.get().kind == "status"


def test_storage_failure_is_507_and_nothing_recorded_as_accepted(smart, registry, monkeypatch):
    from smart.ingest import archive

    def disk_full(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive.IncomingFile, "commit", disk_full)
    response = smart.upload(sysinfo_zip(), "ROGA.zip")
    assert (response.status_code, response.json()["code"]) == (507, "storage_unavailable")
    assert Report.objects.count() == 0
    assert attempts()[0].code == "storage_unavailable"
