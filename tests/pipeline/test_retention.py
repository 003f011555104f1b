"""Retention drops facts older than 13 months and raw files older than the archive window; newer stays."""
from datetime import timedelta

from smart.ingest.archive import object_path
from smart.metrics import retention
from smart.metrics.models import HourlyRollup, SearchEvent, Snapshot

from .reports import as_zip, search, sysinfo, utc


def test_retention_keeps_13_months(deliver, roga, settings):
    settings.SMART_ARCHIVE_RETENTION_DAYS = 30
    old_at, new_at = utc(2025, 9, 1, 9), utc(2026, 11, 20, 9)
    old = deliver(as_zip(sysinfo(old_at, searches=[search(old_at - timedelta(minutes=1))])))
    new = deliver(as_zip(sysinfo(new_at, searches=[search(new_at - timedelta(minutes=1), text="новый")])))
    from smart.ingest.models import Report

    Report.objects.filter(pk=old.pk).update(received_at=old_at)
    Report.objects.filter(pk=new.pk).update(received_at=new_at)
    result = retention.run(now=utc(2026, 11, 26, 12))
    assert list(Snapshot.objects.filter(installation=roga).values_list("report_time", flat=True)) == [new_at]
    assert list(HourlyRollup.objects.filter(installation=roga).values_list("hour", flat=True).order_by("hour")) == [
        utc(2026, 11, 20, 8), new_at]
    assert SearchEvent.objects.filter(installation=roga).count() == 1
    assert not object_path(old.sha256).exists() and object_path(new.sha256).exists()
    assert result["Report"] == 1 and result["archive_files"] == 1
