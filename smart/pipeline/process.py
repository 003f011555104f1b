"""Processing one report: parse it from the archive, store its facts, record its parse status.

A parse failure is a result (the report's status says why), not a job failure; an unexpected error
fails the job, which is retried with back-off and set aside after the last attempt.
"""
import dataclasses
import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction

from smart.formats.limits import Limits
from smart.formats.errors import ParseFailure
from smart.formats.parse import parse_report
from smart.ingest.archive import object_path
from smart.ingest.models import Report
from smart.metrics import privacy
from smart.metrics.store import check_identity, store_status, store_sysinfo

from . import queue, signals

log = logging.getLogger("smart.pipeline")

PARSED = "ok"
IDENTITY_MISMATCH = "identity_mismatch"


def process_report(report: Report) -> str:
    """Parse and store one report; returns its new status. Alerting hears of every outcome
    (signals.report_processed), sent once the facts are stored."""
    installation = report.installation
    if installation is None:  # quarantined after the job was made: nothing to attach facts to
        return report.status
    status, at = _process(report, installation)
    for receiver, error in signals.report_processed.send_robust(Report, installation=installation, report=report,
                                                                status=status, at=at):
        if isinstance(error, Exception):
            log.error("report_processed receiver %r failed for report %s: %r", receiver, report.pk, error)
    return status


def _process(report: Report, installation) -> tuple[str, datetime | None]:
    """(new status, the report's own time or None)."""
    try:
        parsed = parse_report(object_path(report.sha256), time_zone=installation.time_zone,
                              received_at=report.received_at, limits=_limits())
    except ParseFailure as failure:
        _finish(report, failure.status, failure.detail, http_status=failure.http_status)
        return failure.status, None
    if parsed.sysinfo is not None:
        parsed = dataclasses.replace(parsed, sysinfo=privacy.apply(installation, parsed.sysinfo))
        mismatches = check_identity(installation, report, parsed.sysinfo)
        if mismatches:  # another organisation's report under this name: recorded, never merged
            detail = ", ".join(f"{f}: expected {e!r}, found {v!r}" for f, e, v in mismatches)
            _finish(report, IDENTITY_MISMATCH, detail[:2000], report_time=parsed.observed_at)
            return IDENTITY_MISMATCH, parsed.observed_at
    with transaction.atomic():
        if parsed.sysinfo is not None:
            store_sysinfo(installation, report, parsed.sysinfo)
        if parsed.status is not None:
            store_status(installation, report, parsed.status)
        _finish(report, PARSED, "; ".join(parsed.warnings)[:2000], report_time=parsed.observed_at)
    return PARSED, parsed.observed_at


def _limits() -> Limits:
    # whatever ingest accepted, the parser may read; its own unpacking limits stay as they are
    return dataclasses.replace(Limits(), max_upload_bytes=settings.SMART_UPLOAD_MAX_BYTES)


def _finish(report, status, detail="", report_time=None, http_status=None):
    fields = {"status": status, "detail": detail}
    if report_time is not None:
        fields["report_time"] = report_time
    if http_status is not None:
        fields["http_status"] = http_status
    Report.objects.filter(pk=report.pk).update(**fields)


def run_job(job) -> str:
    """Process a claimed job and mark it done or failed."""
    try:
        status = process_report(job.report)
    except Exception as exc:  # every failure is recorded on the job; the worker keeps going
        log.exception("processing report %s failed", job.report_id)
        return queue.fail(job, f"{type(exc).__name__}: {exc}")
    queue.complete(job)
    return status
