"""Retention: facts are kept SMART_RETENTION_MONTHS (13, D §3.3); raw reports, with their envelope (the
Report row and the upload audit), SMART_ARCHIVE_RETENTION_DAYS.

Runs daily from `smart serve` and on demand with `smart retention`. Deletes in batches so that a big
backlog never holds a long lock.
"""
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from smart.ingest.archive import object_path
from smart.ingest.models import Report, UploadAttempt

from . import models as m

log = logging.getLogger("smart.metrics")

# table → the instant that ages it out
AGED_BY = {
    m.Snapshot: "report_time", m.HourlyRollup: "hour", m.SearchEvent: "at", m.RefusalEvent: "at",
    m.SessionEvent: "last_seen", m.DbErrorEvent: "last_seen", m.OperupEvent: "last_seen",
    m.VersionEvent: "last_seen", m.StatusSample: "observed_at", m.DiskFree: "observed_at",
    m.UserMonthCounters: "report_time", m.KnownUser: "last_seen", m.IdentityMismatch: "report_time",
    m.KassistDay: "report_time", m.LicenceState: "report_time",
}
# the envelope of each upload (file name, hash, audit) is kept as long as the file itself
INGEST_AGED_BY = {UploadAttempt: "received_at", Report: "received_at"}


def _delete_older(model, field: str, cutoff: datetime, batch: int = 5000) -> int:
    deleted = 0
    while True:
        ids = list(model.objects.filter(**{f"{field}__lt": cutoff}).values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        model.objects.filter(pk__in=ids).delete()
        deleted += len(ids)


def prune_archive(cutoff: datetime) -> int:
    """Remove archived files whose every report was received before the cutoff (facts stay)."""
    removed = 0
    stale = Report.objects.values("sha256").annotate(last=Max("received_at")).filter(last__lt=cutoff)
    for sha in stale.values_list("sha256", flat=True).iterator():
        path = object_path(sha)
        if path.exists():
            path.unlink()
            removed += 1
    return removed


def run(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    facts_cutoff = now - timedelta(days=round(settings.SMART_RETENTION_MONTHS * 30.44))
    archive_cutoff = now - timedelta(days=settings.SMART_ARCHIVE_RETENTION_DAYS)
    result = {"archive_files": prune_archive(archive_cutoff)}
    for model, field in AGED_BY.items():
        result[model.__name__] = _delete_older(model, field, facts_cutoff)
    for model, field in INGEST_AGED_BY.items():
        result[model.__name__] = _delete_older(model, field, archive_cutoff)
    from .privacy import blank_old_search_texts

    result["search_texts_blanked"] = blank_old_search_texts(now)
    log.info("retention: %s", result)
    return result
