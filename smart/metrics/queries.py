"""Query functions the dashboards call: (time range × filters) → series or tables.

Every function takes an `installations` queryset or id list (already scoped by tenancy) and returns
plain Python data. Series come from the hourly rollups, so a 90-day range is ~2,200 rows per
installation at most and is aggregated in the database.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import Collate, Trunc

from .models import (
    COUNTERS, STATUS_SERIES, DailyRollup, DbErrorEvent, HourlyRollup, InstallationState, KassistDay, KnownUser,
    LicenceState, OperupEvent, RefusalEvent, Snapshot,
    SearchEvent, SessionEvent, StatusSample, UserMonthCounters, VersionEvent,
)

ROLLUP_FIELDS = (
    "seats_used_max", "seats_total", "searches", "empty_searches", "refusals", "refusals_no_seats",
    "counted_searches", *[c for c in COUNTERS if c != "searches"],
)
STEPS = {"hour", "day", "week", "month"}
MAX_POINTS = 1000  # per series: what a chart can show; finer steps are coarsened by step="auto"


def auto_step(rng: "Range") -> str:
    """The finest step that keeps a series under MAX_POINTS points (what Grafana's $__interval does)."""
    hours = (rng.end - rng.start).total_seconds() / 3600
    if hours <= MAX_POINTS:
        return "hour"
    return "day" if hours / 24 <= MAX_POINTS else "week"


@dataclass(frozen=True)
class Range:
    start: datetime
    end: datetime

    @classmethod
    def last(cls, days: float, now: datetime) -> "Range":
        return cls(now - timedelta(days=days), now)


def _ids(installations):
    return installations if isinstance(installations, (list, tuple, set)) else installations.values("pk")


def _rollups(installations, rng: Range, step: str = "hour"):
    """Hourly rollups for an hourly step; daily ones (the installations' calendar days) otherwise."""
    if step == "hour":
        return HourlyRollup.objects.filter(installation__in=_ids(installations), hour__gte=rng.start, hour__lt=rng.end)
    return DailyRollup.objects.filter(installation__in=_ids(installations), day__gte=rng.start.date(),
                                      day__lt=rng.end.date() + timedelta(days=1))


def _bucket(step: str, tz):
    if step == "hour":
        return Trunc("hour", "hour", tzinfo=tz)
    return F("day") if step == "day" else Trunc("day", step)


def series_by_installation(installations, rng: Range, field: str, step: str = "hour", agg: str = "sum",
                           tz=None) -> dict[int, list[tuple[datetime, float]]]:
    """One series per installation: `field` of the rollups, aggregated per step ("auto": see auto_step)."""
    step = auto_step(rng) if step == "auto" else step
    _check(field, step)
    source = _rollups(installations, rng, step)
    if step in ("hour", "day"):  # the rollups' own granularity: no aggregation to do
        time_field = "hour" if step == "hour" else "day"
        rows = source.order_by("installation_id", time_field).values_list("installation_id", time_field, field)
    else:
        func = {"sum": Sum, "max": Max, "min": Min}[agg]
        rows = (source.annotate(t=_bucket(step, tz)).values("installation_id", "t").annotate(v=func(field))
                .order_by("installation_id", "t").values_list("installation_id", "t", "v"))
    result: dict[int, list] = {}
    for inst, t, value in fetch_rows(rows):
        result.setdefault(inst, []).append((t, value))
    return result


def peaks_by_installation(installations, rng: Range, field: str) -> dict[int, float | None]:
    """Per installation with rollups in the range, the largest `field` of its hourly (or daily, as auto_step
    picks) rollups: the peak of its series_by_installation(..., "auto") up to a week step, found in the
    database, so that a chart can rank installations before fetching any series."""
    step = auto_step(rng)
    _check(field, step)
    rows = (_rollups(installations, rng, step).values("installation_id").annotate(v=Max(field))
            .order_by("installation_id").values_list("installation_id", "v"))
    return dict(rows)


def fetch_rows(rows):
    """The rows of a values_list queryset; on PostgreSQL straight from the driver (psycopg already
    returns dates, datetimes and numbers), skipping the ORM's per-row work on tens of thousands of points."""
    if connection.vendor != "postgresql":
        return rows.iterator(chunk_size=10000)
    return raw_rows(rows)


def raw_rows(qs, outer: str = "{sql}") -> list[tuple]:
    """The rows of a queryset's SQL as the database driver returns them, without the ORM's per-value converters
    (on SQLite, dates and times stay text: for integer and text columns there). `outer` wraps that SQL in a
    query over it, named `{sql}` there (e.g. "SELECT k, MAX(v) FROM ({sql}) g GROUP BY k"). No rows when the
    queryset can match nothing (e.g. an empty installation list: the ORM would answer without a query)."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(outer.replace("{sql}", sql), params)
        return cursor.fetchall()


def code_point_order(field: str):
    """`field` compared by code point, as Python compares str (PostgreSQL's default collation does not;
    SQLite's does): for rows ordered or cut in the database and then merged or compared in Python."""
    return Collate(F(field), "C") if connection.vendor == "postgresql" else F(field)


def fleet_series(installations, rng: Range, field: str, step: str = "day", agg: str = "sum", tz=None):
    """One series over all the given installations."""
    step = auto_step(rng) if step == "auto" else step
    _check(field, step)
    func = {"sum": Sum, "max": Max, "min": Min}[agg]
    rows = (
        _rollups(installations, rng, step).annotate(t=_bucket(step, tz)).values("t")
        .annotate(v=func(field)).order_by("t")
    )
    return [(row["t"], row["v"]) for row in rows]


def totals(installations, rng: Range, fields=ROLLUP_FIELDS) -> dict[int, dict]:
    """Per installation, the sum of each counter over the range's calendar days (max for seat gauges)."""
    aggs = {f: (Max(f) if f.startswith("seats") else Sum(f)) for f in fields}
    rows = _rollups(installations, rng, "day").values("installation_id").annotate(**aggs)
    return {row.pop("installation_id"): row for row in rows}


LATEST_COLUMNS = (
    "installation_id", "installation__name", "installation__client__display_name", "report_time", "received_at",
    "last_new_data_at", "version", "arch", "patch", "sysinfo_version", "host", "alias", "regnum", "legal_name",
    "catalogues", "seats_total", "seats_used", "key_state", "licence_expiry", "regfile_expiry", "licman",
    "operup_latest_at", "operup_max_age_hours", "db_error_count", "clock_skew_s", "status_observed_at",
)


def latest_states(installations):
    """The latest state of each installation, as rows (dicts) for tables."""
    return InstallationState.objects.filter(installation__in=_ids(installations)).values(*LATEST_COLUMNS)


def user_month_table(installations, month):
    """Per-user month-to-date counters (the newest report of the month), with the card of each user."""
    rows = UserMonthCounters.objects.filter(installation__in=_ids(installations), month=month)
    return list(rows.values("installation_id", "login", *COUNTERS).order_by("installation_id", "login"))


def involvement(installations, month) -> dict[int, float | None]:
    """100 × users with ≥ 1 DB request this month / seats in the reg-file (00-product decision)."""
    active = dict(
        UserMonthCounters.objects.filter(installation__in=_ids(installations), month=month, db_requests__gt=0)
        .values("installation_id").annotate(n=Count("id")).values_list("installation_id", "n")
    )
    seats = dict(InstallationState.objects.filter(installation__in=_ids(installations))
                 .values_list("installation_id", "seats_total"))
    return {i: (100.0 * active.get(i, 0) / s if s else None) for i, s in seats.items()}


def searches(installations, rng: Range, empty_only: bool = False, limit: int = 1000):
    rows = SearchEvent.objects.filter(installation__in=_ids(installations), at__gte=rng.start, at__lt=rng.end)
    if empty_only:
        rows = rows.filter(results=0)
    return list(rows.order_by("-at").values("installation_id", "at", "login", "text", "search_type", "catalogue",
                                            "source", "results", "duration_ms", "error")[:limit])


def refusals(installations, rng: Range, no_seats_only: bool = False):
    rows = RefusalEvent.objects.filter(installation__in=_ids(installations), at__gte=rng.start, at__lt=rng.end)
    if no_seats_only:
        rows = rows.filter(Q(code__in=(2008, 4106)) | Q(reason="no_free_seats"))
    return list(rows.order_by("-at").values("installation_id", "at", "login", "code", "reason", "count"))


def current_db_errors(installations):
    """DB errors listed by each installation's newest report."""
    return list(
        DbErrorEvent.objects.filter(installation__in=_ids(installations),
                                    last_seen=F("installation__state__report_time"))
        .values("installation_id", "volume", "group", "code", "alias", "message", "first_seen")
    )


def operup_ages(installations, now: datetime):
    """Newest modification time per operup file path and its age in hours."""
    rows = (
        OperupEvent.objects.filter(installation__in=_ids(installations))
        .values("installation_id", "path").annotate(modified_at=Max("modified_at"))
    )
    return [{**r, "age_hours": (now - r["modified_at"]).total_seconds() / 3600} for r in rows]


def versions(installations):
    return list(
        VersionEvent.objects.filter(installation__in=_ids(installations))
        .values("installation_id", "component", "version", "first_seen", "last_seen").order_by("installation_id", "first_seen")
    )


def sessions(installations, rng: Range):
    return list(
        SessionEvent.objects.filter(installation__in=_ids(installations), last_seen__gte=rng.start, first_seen__lt=rng.end)
        .values("installation_id", "login", "started_at", "ip", "browser", "domain", "first_seen", "last_seen")
    )


def users(installations):
    return list(KnownUser.objects.filter(installation__in=_ids(installations)).values())


def licences(installations):
    return list(LicenceState.objects.filter(installation__in=_ids(installations)).values(
        "installation_id", "product", "volume", "expires_on", "seats"))


def kassist_days(installations, rng: Range):
    """kAssist link statistics per day (C §5)."""
    return list(KassistDay.objects.filter(installation__in=_ids(installations), day__gte=rng.start.date(),
                                          day__lte=rng.end.date())
                .values("installation_id", "day", "unique_links", "unmatched_links", "all_links", "active_links")
                .order_by("installation_id", "day"))


def key_history(installations, rng: Range):
    """Protection-key state per report, only where it changed (key-loss episodes, R-C3 timeline)."""
    rows = (Snapshot.objects.filter(installation__in=_ids(installations), report_time__gte=rng.start,
                                    report_time__lt=rng.end)
            .order_by("installation_id", "report_time").values_list("installation_id", "report_time", "key_state"))
    changes, last = [], {}
    for inst, at, state in rows:
        if last.get(inst) != state:
            changes.append({"installation_id": inst, "at": at, "key_state": state})
            last[inst] = state
    return changes


def status_series(installations, rng: Range, name: str):
    """One curated .status series (a StatusSample column) per installation."""
    if name not in STATUS_SERIES:
        raise ValueError(f"unknown status series {name!r}")
    rows = (StatusSample.objects.filter(installation__in=_ids(installations), observed_at__gte=rng.start,
                                        observed_at__lt=rng.end).exclude(**{name: None})
            .order_by("installation_id", "observed_at").values_list("installation_id", "observed_at", name))
    result: dict[int, list] = {}
    for inst, at, value in rows:
        result.setdefault(inst, []).append((at, value))
    return result


def _check(field: str, step: str) -> None:
    if field not in ROLLUP_FIELDS and field != "seats_used_sum" and field != "reports":
        raise ValueError(f"unknown rollup field {field!r}")
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}")
