"""Storing a parsed report's facts: idempotent, and safe for reports arriving out of order.

Every write is keyed by a natural key (installation + report time, or an event's own identity), so
processing a report twice changes nothing, and an older report (a closed network's backlog) fills
history without overwriting newer state.
"""
import hashlib
from datetime import date, datetime, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

from django.db import transaction

from smart.formats.model import StatusReport, SysinfoReport

from . import bulk, events
from .models import COUNTERS, STATUS_SERIES, IdentityMismatch, InstallationState, Snapshot, UserMonthCounters
from .rollup import recompute_hours
from .status_series import curate

UTC = dt_timezone.utc


def fingerprint(*parts) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def month_start(instant: datetime, zone: str) -> date:
    local = instant.astimezone(ZoneInfo(zone))
    return date(local.year, local.month, 1)


def hour_of(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def check_identity(installation, report, sysinfo: SysinfoReport) -> list[tuple[str, str, str]]:
    """Record (field, expected, found) for each of regnum and legal name that differ from the
    installation's established identity (E5); the caller must then not store the report's facts."""
    state = InstallationState.objects.filter(installation=installation).first()
    if state is None:
        return []
    header = sysinfo.header
    found = []
    for field, expected, value in (("regnum", state.regnum, header.regnum), ("legal_name", state.legal_name, header.legal_name)):
        if expected and value and expected.strip().lower() != value.strip().lower():
            found.append((field, expected, value))
    for field, expected, value in found:
        IdentityMismatch.objects.update_or_create(
            report=report, field=field,
            defaults={"installation": installation, "expected": expected[:500], "found": value[:500],
                      "report_time": sysinfo.header.generated_at or report.received_at},
        )
    return found


def _totals(sysinfo: SysinfoReport) -> dict:
    if sysinfo.counters is None:
        return {name: None for name in COUNTERS}
    totals = {}
    for name in COUNTERS:
        values = [getattr(c, name) for c in sysinfo.counters if getattr(c, name) is not None]
        totals[name] = sum(values) if values else None
    return totals


def _increment(current, previous):
    if current is None:
        return None
    if previous is None or current < previous:  # first report of the month, or counters were reset
        return current
    return current - previous


def _set_increments(snapshot: Snapshot, previous: Snapshot | None) -> None:
    for name in COUNTERS:
        prev_total = getattr(previous, f"total_{name}") if previous else None
        setattr(snapshot, f"inc_{name}", _increment(getattr(snapshot, f"total_{name}"), prev_total))


@transaction.atomic
def store_sysinfo(installation, report, sysinfo: SysinfoReport) -> None:
    """Store every fact of a parsed sysinfo report (after check_identity found nothing)."""
    _lock_installation(installation)
    t = sysinfo.header.generated_at or report.received_at
    month = month_start(t, installation.time_zone)
    totals = _totals(sysinfo)
    active = None
    if sysinfo.counters is not None:
        active = sum(1 for c in sysinfo.counters if (c.db_requests or 0) > 0)
    snapshot, _ = Snapshot.objects.update_or_create(
        installation=installation, report_time=t,
        defaults={
            "report": report, "month": month, "report_guid": (sysinfo.header.report_id or "")[:64],
            "seats_total": sysinfo.regfile.seats if sysinfo.regfile else None,
            "seats_used": sysinfo.seats_used,
            "users_total": None if sysinfo.users is None else len(sysinfo.users),
            "users_active_month": active,
            "key_state": (sysinfo.protection_key.status or "") if sysinfo.protection_key else "",
            **{f"total_{k}": v for k, v in totals.items()},
        },
    )
    same_month = Snapshot.objects.filter(installation=installation, month=month)
    previous = same_month.filter(report_time__lt=t).order_by("-report_time").first()
    following = same_month.filter(report_time__gt=t).order_by("report_time").first()
    _set_increments(snapshot, previous)
    snapshot.save()
    hours = {hour_of(t)}
    if following is not None:
        _set_increments(following, snapshot)
        following.save()
        hours.add(hour_of(following.report_time))

    _store_user_months(installation, month, t, sysinfo)
    hours |= events.store_events(installation, t, sysinfo, fingerprint)
    recompute_hours(installation, hours)
    _update_state(installation, report, t, sysinfo)


def _lock_installation(installation) -> None:
    """Serialize the processing of one installation's reports (increments read the neighbours' totals).

    PostgreSQL: a row lock on the state row until the transaction ends; SQLite has one writer anyway."""
    InstallationState.objects.get_or_create(installation=installation)
    list(InstallationState.objects.select_for_update().filter(installation=installation).values_list("pk"))


def _store_user_months(installation, month, t, sysinfo: SysinfoReport) -> None:
    if not sysinfo.counters:
        return
    existing = {  # login -> (report_time, *counters), as plain tuples
        row[0]: row[1:] for row in UserMonthCounters.objects.filter(installation=installation, month=month)
        .values_list("login", "report_time", *COUNTERS)
    }
    changed = []
    for counters in sysinfo.counters:
        if not counters.login:
            continue
        values = {name: getattr(counters, name) for name in COUNTERS}
        row = existing.get(counters.login)
        # never let an older report overwrite newer counters; unchanged rows are not rewritten
        if row is None or (row[0] <= t and tuple(row[1:]) != tuple(values.values())):
            changed.append({"installation_id": installation.pk, "month": month, "login": counters.login[:200],
                            "report_time": t, **values})
    bulk.insert(UserMonthCounters, changed, unique=("installation", "month", "login"), update=("report_time", *COUNTERS))


def _update_state(installation, report, t, sysinfo: SysinfoReport) -> None:
    state, _ = InstallationState.objects.get_or_create(installation=installation)
    if report.received_at and (state.last_new_data_at is None or report.received_at > state.last_new_data_at):
        state.last_new_data_at = report.received_at
    if state.report_time is not None and t < state.report_time:
        state.save(update_fields=["last_new_data_at", "updated_at"])
        return
    header = sysinfo.header
    state.report, state.report_time, state.received_at = report, t, report.received_at
    state.version = header.server_version or ""
    state.arch = header.server_arch or ""
    state.patch = header.server_patch or ""
    state.sysinfo_version = header.sysinfo_version or ""
    state.host, state.alias = (header.host or "")[:270], (header.alias or "")[:200]
    state.regfile_expiry = sysinfo.regfile.expires_on if sysinfo.regfile else None
    lm = sysinfo.licence_manager
    state.licman = None if lm is None else {"host": lm.host, "port": lm.port, "status": lm.status, "message": lm.message}
    state.regnum = state.regnum or (header.regnum or "")
    state.legal_name = state.legal_name or (header.legal_name or "")
    state.catalogues = list(header.catalogues or [])
    state.seats_total = sysinfo.regfile.seats if sysinfo.regfile else None
    state.seats_used = sysinfo.seats_used
    state.key_state = (sysinfo.protection_key.status or "") if sysinfo.protection_key else ""
    expiries = [lic.expires_on for lic in sysinfo.licences or () if lic.expires_on]
    state.licence_expiry = min(expiries) if expiries else None
    modified = [f.modified_at for f in sysinfo.operup_files or () if f.modified_at]
    state.operup_latest_at = max(modified) if modified else None
    state.operup_max_age_hours = (t - min(modified)).total_seconds() / 3600 if modified else None
    state.db_error_count = None if sysinfo.volumes is None else sum(len(v.errors or ()) for v in sysinfo.volumes)
    state.clock_skew_s = (t - report.received_at).total_seconds() if report.received_at else None
    state.save()


@transaction.atomic
def store_status(installation, report, status: StatusReport) -> None:
    """Store a .status file: its curated series, free disk per path, and the latest status state."""
    from .models import DiskFree, StatusSample

    _lock_installation(installation)
    values, disks = curate(status)
    StatusSample.objects.update_or_create(
        installation=installation, observed_at=status.observed_at,
        defaults={"received_at": report.received_at, "dated": status.time_source == "date_header",
                  "http_status": status.http_status, **{k: values.get(k) for k in STATUS_SERIES}},
    )
    DiskFree.objects.bulk_create(
        [DiskFree(installation=installation, observed_at=status.observed_at, path=path, free_bytes=free, total_bytes=total)
         for path, (free, total) in disks.items()],
        ignore_conflicts=True,
    )
    state, _ = InstallationState.objects.get_or_create(installation=installation)
    if state.status_observed_at is None or status.observed_at >= state.status_observed_at:
        state.status_report, state.status_observed_at = report, status.observed_at
        state.status_received_at, state.status_values = report.received_at, values
        state.save()


def retention_cutoff(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(months * 30.44))
