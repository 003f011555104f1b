"""Pulled reports go through the same ingest path as pushed ones: archive, audit, processing."""
import asyncio

import pytest

from smart.ingest.models import Channel, Report, UploadAttempt
from smart.pipeline.worker import drain
from smart.probes import session
from smart.probes.targets import InstallationTarget

pytestmark = pytest.mark.django_db(transaction=True)  # the ingest runs on a worker thread


def _target(pulled, kte):
    pulled.port = kte.port
    pulled.smartlogin_password = kte.password
    pulled.save()
    return InstallationTarget.from_installation(pulled)


def _pull(t, kind):
    async def main():
        if kind == "zip":
            result, content = await session.pull_sysinfo(t)
        else:
            result, content = await session.pull_status(t)
        return await session.deliver(t, result, content, kind)
    return asyncio.run(main())


def test_pulled_sysinfo_is_archived_audited_and_processed(pulled, kte):
    t = _target(pulled, kte)
    result = _pull(t, "zip")
    assert result.ok and result.data["ingest_code"] == "ok"
    report = Report.objects.get(pk=result.data["report_id"])
    assert report.channel == Channel.PULL and report.installation_id == pulled.id and report.kind in ("zip", "sqlite")
    assert UploadAttempt.objects.filter(report=report, endpoint=Channel.PULL, code="ok").exists()
    assert drain() >= 1
    report.refresh_from_db()
    assert report.status == "ok", report.detail
    pulled.state.refresh_from_db()
    assert pulled.state.version == kte.installation.version_at(kte.clock())
    again = _pull(t, "zip")  # the same minute: the same content
    assert again.data["ingest_code"] in ("ok", "no_new_data")


def test_pulled_status_is_processed(pulled, kte):
    t = _target(pulled, kte)
    result = _pull(t, "status")
    assert result.ok
    report = Report.objects.get(pk=result.data["report_id"])
    assert report.stream == "status" and report.kind == "status"
    drain()
    report.refresh_from_db()
    assert report.status == "ok", report.detail


def test_an_error_page_instead_of_sysinfo_is_refused_and_visible(standin, pulled, kte):
    standin.set_fault(kte.name, "sysinfo_error_page")
    result = _pull(_target(pulled, kte), "zip")
    assert not result.ok and result.state == "error_page"
    report = Report.objects.get(pk=result.data["report_id"])
    assert report.kind == "error_page" and report.status == Report.Status.COLLECTOR_ERROR_PAGE
