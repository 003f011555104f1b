"""Read-side helpers of the online-billing, prolongation, quarterly and search dashboards (the bizonline area).

Everything here is set-based: one query per panel (or per distinct time zone), never one per object.
Quota months of online accesses follow smart.alerts.conditions.online (the client's zone, never before the
vendor's Moscow reset); installation months follow the daily rollups, which are already the installation's
calendar days.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import Avg, Count, F, FloatField, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast, Trunc, TruncMonth

from smart.alerts.conditions.online import (
    client_zones, forecast_exhaustion, quota_month, quota_period,
)
from smart.metrics.buckets import Bucket, bucket_start, step_seconds, utc_offset
from smart.metrics.models import DailyRollup, SearchEvent
from smart.metrics.queries import fetch_rows, raw_rows
from smart.probes.models import Check, CheckSample, OnlineCounters
from smart.registry.models import OnlineAccess

COUNTERS = ("documents", "search", "print", "export")
MAX_HOURLY_POINTS = 1000  # per series; longer ranges are drawn per day
REMAINING_MAX_POINTS = 300  # per "Remaining" series: the step grows with the range (1 h up to 12.5 days)
REMAINING_TOP = 20  # "Remaining" charts draw the accesses nearest exhaustion, the others as one mean line


# ---- online accesses ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AccessRow:
    id: int
    client_id: int
    client: str
    firm: str
    login: str
    host: str
    folder: str
    manager_id: int | None
    manager: str

    @property
    def label(self) -> str:
        """A series label: client and login (one client may have several accesses, A §4.2)."""
        return f"{self.client} / {self.login}"


def access_rows(ctx) -> list[AccessRow]:
    """The online accesses in the user's scope narrowed by the client, manager and login variables."""
    qs = ctx.online_accesses
    if ids := ctx.ints("login"):
        qs = qs.filter(pk__in=ids)
    rows = qs.order_by("client__display_name", "login").values_list(
        "pk", "client_id", "client__display_name", "firm", "login", "host", "folder", "manager_id",
        "manager__full_name", "manager__username")
    return [AccessRow(pk, cid, cname, firm, login, host, folder, mid, full or user or "")
            for pk, cid, cname, firm, login, host, folder, mid, full, user in rows]


def latest_readings(access_ids, start: datetime, end: datetime) -> dict[int, OnlineCounters]:
    """Per access, its newest billing reading in [start, end) (one correlated sub-query on the index)."""
    if not access_ids:
        return {}
    newest = (OnlineCounters.objects.filter(online_access=OuterRef("pk"), at__gte=start, at__lt=end)
              .order_by("-at", "-pk").values("pk")[:1])
    picked = dict(OnlineAccess.objects.filter(pk__in=list(access_ids)).annotate(r=Subquery(newest))
                  .exclude(r=None).values_list("pk", "r"))
    readings = OnlineCounters.objects.in_bulk(list(picked.values()))
    return {a: readings[r] for a, r in picked.items()}


def used_pct(left: int | None, limit: int | None) -> float | None:
    """% of the monthly quota used: (quota − remaining) / quota × 100 (A §4.1), 1 decimal."""
    if left is None or not limit:
        return None
    return round(100.0 * (limit - left) / limit, 1)


def forecast(reading: OnlineCounters, zone: ZoneInfo) -> tuple[datetime | None, str | None]:
    """The earliest of the four counters to run out before the quota month ends at this month's pace
    (smart.alerts.conditions.online.forecast_exhaustion), and which counter; (None, None) if none will."""
    period = quota_period(reading.at, zone)
    best = (None, None)
    for counter in COUNTERS:
        when = forecast_exhaustion(reading, counter, period)
        if when is not None and (best[0] is None or when < best[0]):
            best = (when, counter)
    return best


def zones_of(rows: list[AccessRow]) -> dict[int, ZoneInfo]:
    return client_zones({r.client_id for r in rows})


def step_for(start: datetime, end: datetime) -> str:
    return "hour" if (end - start).total_seconds() / 3600 <= MAX_HOURLY_POINTS else "day"


def _bucket_of(start: datetime, end: datetime, tz) -> tuple[int, int]:
    """(step seconds, UTC offset) of `step_for`'s hourly or daily buckets, as Bucket takes them."""
    return (3600 if step_for(start, end) == "hour" else 86400), utc_offset(tz, start)


def last_remaining(access_ids, start, end, counter: str) -> dict[int, int]:
    """Per access, `counter`'s remaining units at its newest reading in [start, end) (one correlated sub-query)."""
    newest = (OnlineCounters.objects.filter(online_access=OuterRef("pk"), at__gte=start, at__lt=end,
                                            **{f"{counter}_left__isnull": False})
              .order_by("-at", "-pk").values(f"{counter}_left")[:1])
    return dict(OnlineAccess.objects.filter(pk__in=list(access_ids)).annotate(v=Subquery(newest))
                .exclude(v=None).values_list("pk", "v"))


def remaining_series(access_ids, start, end, counter: str, tz, others=()) -> tuple[int, dict, list]:
    """Per access of `access_ids`: the remaining units of `counter` per bucket (the lowest reading of each; the
    step is chosen from the range, at most REMAINING_MAX_POINTS buckets). And, over the `others` accesses, the
    mean remaining per bucket (the mean of their readings in it). Returns (step seconds, {access: [(t, v)]},
    [(t, mean)])."""
    step = step_seconds(start, end, REMAINING_MAX_POINTS)
    offset = utc_offset(tz, start)
    base = (OnlineCounters.objects.filter(at__gte=start, at__lt=end).exclude(**{f"{counter}_left": None})
            .annotate(b=Bucket("at", step, offset)))
    rows = (base.filter(online_access_id__in=list(access_ids)).values("online_access_id", "b")
            .annotate(v=Min(f"{counter}_left")).order_by("online_access_id", "b")
            .values_list("online_access_id", "b", "v"))
    result = defaultdict(list)
    for access_id, b, v in rows:
        result[access_id].append((bucket_start(b, step, offset, tz), v))
    mean = []
    if others:
        mean = [(bucket_start(b, step, offset, tz), round(v, 1)) for b, v in
                base.filter(online_access_id__in=list(others)).values("b").annotate(v=Avg(f"{counter}_left"))
                .order_by("b").values_list("b", "v")]
    return step, result, mean


def docs_used_pct_series(access_ids, start, end, tz, by_manager: bool) -> dict:
    """Mean "% of the document quota used" over the accesses at each hour (or day): {manager_id or None: [(t, %)]}.
    The mean is over the readings of the step (one per access per hour at the scraper's cadence). Buckets are
    integers computed in the database (local midnights at the zone's offset at `start`) and grouped by hashing,
    so the half-million readings of 300 accesses × 90 days are never sorted."""
    step, offset = _bucket_of(start, end, tz)
    pct = Cast(F("documents_limit") - F("documents_left"), FloatField()) * 100.0 / Cast(F("documents_limit"), FloatField())
    keys = ("online_access__manager_id", "b") if by_manager else ("b",)
    rows = (OnlineCounters.objects.filter(online_access_id__in=list(access_ids), at__gte=start, at__lt=end,
                                          documents_limit__gt=0, documents_left__isnull=False)
            .annotate(b=Bucket("at", step, offset)).values(*keys).annotate(v=Avg(pct)).order_by()
            .values_list(*keys, "v"))
    found = sorted(((row[0], row[1], row[2]) if by_manager else (None, row[0], row[1]) for row in rows),
                   key=lambda r: (r[0] or 0, r[1]))
    result = defaultdict(list)
    for manager, b, v in found:
        result[manager].append((bucket_start(b, step, offset, tz), round(v, 2)))
    return result


def monitored_counts(access_ids, start, end, tz) -> dict[str, list]:
    """Per hour (or day): how many accesses, and how many distinct clients, had a billing reading (C §1.3).
    In the database: the distinct (bucket, access) pairs by hashing, then counted per bucket with the clients."""
    step, offset = _bucket_of(start, end, tz)
    pairs = (OnlineCounters.objects.filter(online_access_id__in=list(access_ids), at__gte=start, at__lt=end)
             .annotate(b=Bucket("at", step, offset), a=F("online_access_id")).values("b", "a").distinct().order_by())
    q = connections[pairs.db].ops.quote_name
    rows = raw_rows(pairs, f"SELECT t.b, COUNT(*), COUNT(DISTINCT o.{q('client_id')}) FROM ({{sql}}) t "
                           f"JOIN {q(OnlineAccess._meta.db_table)} o ON o.{q('id')} = t.a GROUP BY t.b ORDER BY 1")
    return {"accesses": [(bucket_start(b, step, offset, tz), n) for b, n, _c in rows],
            "clients": [(bucket_start(b, step, offset, tz), c) for b, _n, c in rows]}


def scrape_errors(access_ids, start, end, limit: int = 5000) -> list[dict]:
    """Failed billing and search-history scrapes of the accesses in the range (A §4.8), newest first."""
    return list(CheckSample.objects.filter(online_access_id__in=list(access_ids), at__gte=start, at__lt=end,
                                           check_type__in=(Check.BILLING, Check.SEARCHES), ok=False)
                .order_by("-at").values("online_access_id", "at", "check_type", "state", "code", "detail")[:limit])


def monthly_minimums(rows: list[AccessRow], year: int) -> dict[int, dict[int, dict[str, int | None]]]:
    """{access: {month: {counter: lowest remaining, "documents_limit": the quota}}} over the quota months of
    `year` (C §8); a month without readings is None. The lowest
    reading of a quota month is its balance at month end (balances only fall within a month) and stays right
    when the last scrape of the month failed. One query with one filtered aggregate per month and counter."""
    if not rows:
        return {}
    zones = zones_of(rows)
    by_zone = defaultdict(list)
    for r in rows:
        by_zone[zones[r.client_id]].append(r.id)
    result: dict[int, dict] = {}
    for zone, ids in by_zone.items():  # one query per distinct client zone
        periods = {m: quota_month(year, m, zone) for m in range(1, 13)}
        aggs = {f"{c}_{m}": Min(f"{c}_left", filter=Q(at__gte=p.start, at__lt=p.end))
                for m, p in periods.items() for c in COUNTERS}
        aggs.update({f"documents_limit_{m}": Max("documents_limit", filter=Q(at__gte=p.start, at__lt=p.end))
                     for m, p in periods.items()})
        qs = (OnlineCounters.objects.filter(online_access_id__in=ids, at__gte=periods[1].start,
                                            at__lt=periods[12].end)
              .values("online_access_id").annotate(n=Count("id"), **{
                  f"n_{m}": Count("id", filter=Q(at__gte=p.start, at__lt=p.end)) for m, p in periods.items()},
                  **aggs))
        for row in qs:
            result[row["online_access_id"]] = {
                m: ({c: row[f"{c}_{m}"] for c in (*COUNTERS, "documents_limit")} if row[f"n_{m}"] else None)
                for m in range(1, 13)}
    return result


# ---- installations: monthly totals -----------------------------------------------------------------------

# The prolongation metrics (A §5.1) as sums of daily rollup counters.
DOCUMENTS = ("documents_opened", "documents_free")  # "documents requested from the DB": counted + free
ACTIVITY = ("db_requests", "documents_opened", "services", "link_follows", "saves", "prints",
            "counted_searches", "kassist_requests")  # 00-product "Activity": every user action
MONTH_FIELDS = ("documents_opened", "documents_free", "saves", "prints", "refusals_no_seats", "db_requests",
                "services", "link_follows", "counted_searches", "kassist_requests", "empty_searches", "searches")


def monthly_totals(installation_ids, first: date, last: date, by_installation: bool = False) -> dict:
    """Sums of the daily rollups per calendar month (the installation's calendar) in [first, last]:
    {month_start: {field: sum, "reports": n}} or, by installation, {(installation_id, month_start): {...}}.
    A month without any rollup row is absent (no data), a month with rows but no use has zeros.
    The sums run in double precision (exact below 2**53; PostgreSQL sums bigints as numeric, several times
    slower) and come back as integers."""
    keys = ("installation_id", "m") if by_installation else ("m",)
    fields = ("reports", *MONTH_FIELDS)
    rows = (DailyRollup.objects.filter(installation_id__in=installation_ids, day__gte=first, day__lte=last)
            .annotate(m=TruncMonth("day")).values(*keys)
            .annotate(**{f"s_{f}": Sum(Cast(f, FloatField())) for f in fields}).order_by(*keys)
            .values_list(*keys, *[f"s_{f}" for f in fields]))
    result = {}
    for row in fetch_rows(rows):
        m = row[len(keys) - 1]
        m = m.date() if isinstance(m, datetime) else m
        key = (row[0], m) if by_installation else m
        result[key] = {f: int(round(v)) if v else 0 for f, v in zip(fields, row[len(keys):])}
    return result


def derived(values: dict) -> dict:
    """The prolongation rows that are sums of rollup fields."""
    return {"documents": sum(values.get(f, 0) for f in DOCUMENTS),
            "activity": sum(values.get(f, 0) for f in ACTIVITY)}


def intelligent_searches_by_month(installations: list[tuple[int, str]], start: datetime, end: datetime) -> dict:
    """{month_start: count} of intelligent searches in the search log, months in each installation's zone.
    One query per distinct zone (a client's installations usually share one), with one filtered count per
    month over the indexed time column (no per-row date function: fast on SQLite too)."""
    by_zone = defaultdict(list)
    for pk, zone in installations:
        by_zone[zone].append(pk)
    result = defaultdict(int)
    for zone, ids in by_zone.items():
        try:
            tz = ZoneInfo(zone)
        except Exception:  # noqa: BLE001 - a zone unknown to tzdata: Moscow, as the registry's default
            tz = ZoneInfo("Europe/Moscow")
        first = start.astimezone(tz)
        month = date(first.year, first.month, 1)
        bounds = []
        while datetime(month.year, month.month, 1, tzinfo=tz) < end:
            nxt = month_add(month, 1)
            bounds.append((month, max(start, datetime(month.year, month.month, 1, tzinfo=tz)),
                           min(end, datetime(nxt.year, nxt.month, 1, tzinfo=tz))))
            month = nxt
        if not bounds:
            continue
        counts = (SearchEvent.objects.filter(installation_id__in=ids, at__gte=start, at__lt=end,
                                             search_type__iexact="intelligent")
                  .aggregate(**{f"m{k}": Count("id", filter=Q(at__gte=a, at__lt=b))
                                for k, (_m, a, b) in enumerate(bounds)}))
        for k, (m, _a, _b) in enumerate(bounds):
            if counts[f"m{k}"]:
                result[m] += counts[f"m{k}"]
    return result


# ---- month-over-month ------------------------------------------------------------------------------------

INFINITY = "∞"


def change_pct(current, previous):
    """Month-over-month (or quarter-over-quarter) change, 00-product: (current − previous) / previous × 100,
    3 significant digits; ∞ when previous is 0 (or missing) and current is not; None ("no data") when current
    is missing, or both are missing or 0."""
    if current is None:
        return None
    prev = previous or 0
    if prev == 0:
        return INFINITY if current else None
    return sig3((current - prev) / prev * 100)


def sig3(x: float) -> float:
    """Round to 3 significant digits (736, −66.7, 1.23e3 → 1230)."""
    if x == 0:
        return 0.0
    return float(f"{x:.3g}")


def month_add(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m + 1, 1)


def year_months(year: int) -> list[date]:
    return [date(year, m, 1) for m in range(1, 13)]


def quarter_of(d: date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def quarter_start(year: int, q: int) -> date:
    return date(year, 3 * (q - 1) + 1, 1)


def prev_quarter(year: int, q: int) -> tuple[int, int]:
    return (year - 1, 4) if q == 1 else (year, q - 1)



# ---- search queries (online B §H; installations C §10) ------------------------------------------------

THRESHOLDS_S = ("0.5", "1", "2", "5", "10", "30", "60")  # C §10: "longer than N seconds"; 1 s by default
DEFAULT_THRESHOLD_S = 1.0
TYPE_WORDS = {"intelligent": ("intellig", "интел"), "attribute": ("attrib", "атриб")}


def search_variable_options(name: str, ctx) -> list[tuple[str, str]]:
    from django.utils.translation import gettext as _

    if name == "search_status":
        return [("success", _("Success")), ("empty", _("Empty"))]
    if name == "search_type":
        return [("intelligent", _("Intelligent")), ("attribute", _("Attribute"))]
    if name == "search_source":  # B §G "Источник запросов": the K/TE API, kAssist
        return [("ksrv", "ksrv"), ("kassist", "kAssist")]
    if name == "search_threshold":
        return [(t, _("longer than %(n)s s") % {"n": t}) for t in THRESHOLDS_S]
    if name == "search_catalog":  # the online accesses' folders and the installations' catalogues
        from smart.metrics.models import InstallationState

        names = set(ctx.online_accesses.values_list("folder", flat=True).distinct())
        for catalogues in InstallationState.objects.filter(installation__in=ctx.installations.values("pk")) \
                .values_list("catalogues", flat=True):
            names.update(c for c in (catalogues or []) if isinstance(c, str))
        names = sorted({n.strip("/") for n in names if n and n.strip("/")})
        return [(n, n) for n in names]
    raise ValueError(f"unknown variable {name}")


def type_filter(field: str, kinds: list[str]) -> Q:
    """Search types as the vendor words them (English or Russian, any case)."""
    q = Q()
    for kind in kinds:
        for word in TYPE_WORDS.get(kind, ()):
            q |= Q(**{f"{field}__icontains": word})
    return q


def status_filter(field: str, statuses: list[str]) -> Q | None:
    """success: found at least one item; empty: found nothing (B §H); both or none chosen: no filter."""
    chosen = set(statuses) & {"success", "empty"}
    if len(chosen) != 1:
        return None
    return Q(**{f"{field}__gt": 0}) if chosen == {"success"} else Q(**{field: 0})


def threshold_s(ctx) -> float:
    values = [float(v) for v in ctx.values("search_threshold") if v in THRESHOLDS_S]
    return min(values) if values else DEFAULT_THRESHOLD_S


def online_searches(ctx, access_ids, limit: int = 5000) -> tuple[list[dict], bool]:
    """The online accesses' search history in the range under the search filters: (rows newest first, truncated)."""
    from smart.probes.models import OnlineSearch

    qs = OnlineSearch.objects.filter(online_access_id__in=list(access_ids), at__gte=ctx.tr.start, at__lt=ctx.tr.end)
    if (f := status_filter("results", ctx.values("search_status"))) is not None:
        qs = qs.filter(f)
    if kinds := ctx.values("search_type"):
        qs = qs.filter(type_filter("search_type", kinds))
    if folders := ctx.values("search_catalog"):
        qs = qs.filter(online_access__folder__in=folders)
    rows = list(qs.order_by("-at", "-pk").values("online_access_id", "at", "login", "text", "search_type",
                                                  "results")[:limit + 1])
    return rows[:limit], len(rows) > limit


def online_search_days(ctx, access_ids, tz) -> dict[str, list]:
    """Per day: successful and empty searches of the online accesses (same filters as the table)."""
    from smart.probes.models import OnlineSearch

    qs = OnlineSearch.objects.filter(online_access_id__in=list(access_ids), at__gte=ctx.tr.start, at__lt=ctx.tr.end)
    if kinds := ctx.values("search_type"):
        qs = qs.filter(type_filter("search_type", kinds))
    if folders := ctx.values("search_catalog"):
        qs = qs.filter(online_access__folder__in=folders)
    rows = (qs.annotate(t=Trunc("at", "day", tzinfo=tz)).values("t")
            .annotate(ok=Count("id", filter=Q(results__gt=0)), empty=Count("id", filter=Q(results=0))).order_by("t"))
    rows = list(rows)
    statuses = set(ctx.values("search_status"))
    out = {}
    if not statuses or "success" in statuses:
        out["success"] = [(r["t"], r["ok"]) for r in rows]
    if not statuses or "empty" in statuses:
        out["empty"] = [(r["t"], r["empty"]) for r in rows]
    return out


def slow_searches(ctx, limit: int = 5000) -> tuple[list[dict], bool]:
    """Installations' searches that took longer than the threshold (C §10), newest first."""
    qs = SearchEvent.objects.filter(installation__in=ctx.installations.values("pk"), at__gte=ctx.tr.start,
                                    at__lt=ctx.tr.end, duration_ms__gt=threshold_s(ctx) * 1000)
    if (f := status_filter("results", ctx.values("search_status"))) is not None:
        qs = qs.filter(f)
    if kinds := ctx.values("search_type"):
        qs = qs.filter(type_filter("search_type", kinds))
    if catalogues := ctx.values("search_catalog"):
        qs = qs.filter(Q(catalogue__in=catalogues) | Q(catalogue__in=["/" + c for c in catalogues]))
    rows = list(qs.order_by("-at", "-pk").values("installation_id", "installation__name", "at", "login", "text",
                                                  "catalogue", "results", "duration_ms", "search_type")[:limit + 1])
    return rows[:limit], len(rows) > limit
