"""Read-side helpers of the technical dashboards (server metrics, availability, versions, DB errors,
connected users, SMART.Status).

Every function takes ids or querysets already scoped by tenancy (`ctx.installations`, `ctx.online_accesses`)
and works in a bounded number of set-based queries whatever the fleet size: series are bucketed in the
database (Trunc to minute, hour or day) and re-bucketed here to the auto step, and a panel that would draw
more than MAX_SERIES lines draws the worst ones and says so.
"""
from collections import defaultdict
from datetime import datetime, timedelta, timezone as dt_timezone
from functools import lru_cache

from django.db.models import Case, Count, Exists, F, IntegerField, When, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Trunc
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.translation import gettext as _

from smart.metrics.models import DbErrorEvent, DiskFree, InstallationState, SessionEvent, Snapshot, StatusSample
from smart.metrics.queries import MAX_POINTS, Range, code_point_order
from smart.probes.models import CheckHourly, CheckSample, CheckState
from smart.probes.queries import window_sums
from smart.registry.models import Installation

MAX_SERIES = 30  # lines one chart can show legibly; the worst ones are kept
STEPS = [timedelta(minutes=m) for m in (1, 5, 10, 15, 30)] + [timedelta(hours=h) for h in (1, 2, 3, 6, 12)] + [
    timedelta(days=d) for d in (1, 2, 7)]
# Steps the database can group by itself (Trunc to minute, hour, day): a series read from a big table uses
# these, so that the database returns one row per point rather than per sample.
ALIGNED = [timedelta(minutes=1), timedelta(hours=1), timedelta(days=1), timedelta(days=7)]
EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)


# ---------------------------------------------------------------- steps and buckets

def auto_step(rng: Range, minimum: timedelta = timedelta(minutes=1), points: int = MAX_POINTS,
              steps=STEPS) -> timedelta:
    """The finest of `steps` not below `minimum` that keeps a series under `points` points."""
    raw = (rng.end - rng.start) / points
    for step in steps:
        if step >= minimum and step >= raw:
            return step
    return steps[-1]


def trunc_unit(step: timedelta) -> str:
    """The coarsest database truncation that is not coarser than the step."""
    if step >= timedelta(days=1):
        return "day"
    return "hour" if step >= timedelta(hours=1) else "minute"


def bucket_of(t: datetime, step: timedelta, tz) -> datetime:
    """The start of the step-wide bucket holding t: UTC-aligned below a day, the zone's midnights above."""
    if step < timedelta(days=1):
        n = (t - EPOCH) // step
        return EPOCH + n * step
    local = t.astimezone(tz)
    days = step.days
    ordinal = local.date().toordinal()
    start = datetime.fromordinal(ordinal - ordinal % days)
    return start.replace(tzinfo=tz)


def rebucket(points, step: timedelta, tz, agg=max) -> list[tuple[datetime, float]]:
    """[(bucket start, agg of the values in it)] in time order; None values are ignored."""
    cells: dict[datetime, list] = {}
    for t, v in points:
        if v is None:
            continue
        cells.setdefault(bucket_of(t, step, tz), []).append(v)
    return [(b, agg(vs)) for b, vs in sorted(cells.items())]


# ---------------------------------------------------------------- names and links

def installation_url(pk: int) -> str:
    """The installation's health card (reversed once per script prefix: tables link thousands of rows)."""
    return _installation_url(get_script_prefix()).replace(_URL_SENTINEL, str(pk))


_URL_SENTINEL = "987654321"


@lru_cache(maxsize=8)
def _installation_url(prefix: str) -> str:
    try:
        return reverse("cabinet:installation", args=[int(_URL_SENTINEL)])
    except NoReverseMatch:
        return f"/installations/{_URL_SENTINEL}/"


def installation_info(ids) -> dict[int, dict]:
    """{id: name, address, client, client_id, manager} in two queries (the manager is the installation's own,
    else the client's first manager by name)."""
    rows = Installation.objects.filter(pk__in=ids).values(
        "pk", "name", "address", "port", "client_id", "client__display_name", "manager__full_name",
        "manager__username")
    info = {}
    for r in rows:
        address = f"{r['address']}:{r['port']}" if r["address"] and r["port"] else (r["address"] or r["name"])
        info[r["pk"]] = {"name": r["name"], "address": address, "client": r["client__display_name"],
                         "client_id": r["client_id"],
                         "manager": r["manager__full_name"] or r["manager__username"] or ""}
    missing = {i["client_id"] for i in info.values() if not i["manager"]}
    if missing:
        from smart.registry.models import Client

        firsts = {}
        for cid, full, user in (Client.managers.through.objects.filter(client_id__in=missing)
                                .order_by("user__full_name", "user__username")
                                .values_list("client_id", "user__full_name", "user__username")):
            firsts.setdefault(cid, full or user)
        for i in info.values():
            if not i["manager"]:
                i["manager"] = firsts.get(i["client_id"], "")
    return info


def cap(series: list[dict], limit: int = MAX_SERIES) -> tuple[list[dict], int]:
    """The first `limit` series (already in priority order) and how many there were."""
    return series[:limit], len(series)


def last_value(points) -> float | None:
    """Last* of a legend: the last non-null value."""
    for _, v in reversed(points):
        if v is not None:
            return v
    return None


# ---------------------------------------------------------------- A §2.1 abnormal states

NOT_WORKING = ("refused", "timeout", "unreachable", "dns_failed", "tls_failed", "protocol_error")
# (key, check, probe states): the seven abnormal states of A §2.1 and the probe results that show them.
ABNORMAL_STATES = (
    ("maintenance", "http200", ("maintenance",)),
    ("need_support", "http200", ("need_support",)),
    ("not_working", "http200", NOT_WORKING),
    ("key_not_found", "key", ("key_not_found",)),
    ("not_started", "http200", ("proxy_error",)),
    ("server_errors", "http200", ("server_error", "http_error", "unexpected_page")),
    ("seats_exhausted", "limit", ("seats_exhausted",)),
)
_STATE_KEY = {(check, s): key for key, check, states in ABNORMAL_STATES for s in states}


def abnormal_series(installations, rng: Range, tz, step: timedelta | None = None) -> dict[tuple[int, str], list]:
    """{(installation id, state key): [(bucket, HTTP code | 1 | 0)]} for every state seen in the range: at each
    bucket where the check has a sample, the highest code returned while the state was seen (1: no HTTP answer
    at all), else 0 (not seen). Two queries: the (installation, check) pairs with an abnormal sample, then all
    samples of those pairs grouped per bucket in the database."""
    step = step or auto_step(rng, steps=ALIGNED)
    q = Q()
    for check in {c for _, c, _ in ABNORMAL_STATES}:
        q |= Q(check_type=check, state__in=[s for (c, s) in _STATE_KEY if c == check])
    in_range = CheckSample.objects.filter(installation__in=installations, at__gte=rng.start, at__lte=rng.end)
    pairs = set(in_range.filter(q).values_list("installation_id", "check_type").distinct())
    if not pairs:
        return {}
    rows = (in_range.filter(installation_id__in={i for i, _ in pairs}, check_type__in={c for _, c in pairs})
            .annotate(t=Trunc("at", trunc_unit(step), tzinfo=tz)).values("installation_id", "check_type", "state", "t")
            .annotate(code=Max("code")).values_list("installation_id", "check_type", "state", "t", "code"))
    cells = defaultdict(lambda: defaultdict(dict))  # (inst, check) -> bucket -> {state key: code}
    for inst, check, state, t, code in rows:
        if (inst, check) not in pairs:
            continue
        cell = cells[(inst, check)][bucket_of(t, step, tz)]
        key = _STATE_KEY.get((check, state))
        if key is not None:
            cell[key] = max(cell.get(key, 0), code or 1)
    result = {}
    for (inst, check), buckets in cells.items():
        keys = {k for cell in buckets.values() for k in cell}
        for key in keys:
            result[(inst, key)] = [(b, buckets[b].get(key, 0)) for b in sorted(buckets)]
    return result


# ---------------------------------------------------------------- A §2.3 check statuses

def chosen_checks(installations, checks=None, limit: int = MAX_SERIES) -> tuple[list[tuple[int, str]], int]:
    """The (installation id, check) pairs to draw, failing ones first, and how many there are in all."""
    rows = CheckState.objects.filter(installation__in=installations)
    if checks:
        rows = rows.filter(check_type__in=checks)
    total = rows.count()
    pairs = list(rows.order_by("ok", "-consecutive_failures", "-failures", "installation_id", "check_type")
                 .values_list("installation_id", "check_type")[:limit])
    return pairs, total


def check_series(pairs, rng: Range, tz, step: timedelta | None = None,
                 hold: timedelta = timedelta(minutes=15)) -> dict[tuple[int, str], list]:
    """{(installation id, check): [(bucket, 0|1)]}: 0 when any run in the bucket failed. Hourly and coarser
    steps read the hourly run counts (every run counts); finer steps read the samples, and a healthy check's
    value is held between its samples (one every few minutes) for up to `hold`."""
    step = step or auto_step(rng, steps=[timedelta(minutes=5), *ALIGNED[1:]])
    if not pairs:
        return {}
    insts = sorted({i for i, _ in pairs})
    checks = sorted({c for _, c in pairs})
    wanted = set(pairs)
    raw = defaultdict(list)
    if step >= timedelta(hours=1):
        rows = (CheckHourly.objects.filter(installation_id__in=insts, check_type__in=checks, total__gt=0,
                                           hour__gte=rng.start - timedelta(hours=1), hour__lte=rng.end)
                .annotate(t=Trunc("hour", trunc_unit(step), tzinfo=tz)).values("installation_id", "check_type", "t")
                .annotate(v=Min(Case(When(ok=F("total"), then=1), default=0, output_field=IntegerField())))
                .values_list("installation_id", "check_type", "t", "v"))
        for inst, check, t, v in rows:
            if (inst, check) in wanted:
                raw[(inst, check)].append((max(t, rng.start), v))
        return {k: rebucket(v, step, tz, min) for k, v in raw.items()}
    rows = (CheckSample.objects.filter(installation_id__in=insts, check_type__in=checks, at__gte=rng.start - hold,
                                       at__lte=rng.end)
            .annotate(t=Trunc("at", "minute", tzinfo=tz)).values("installation_id", "check_type", "t")
            .annotate(v=Min(Cast("ok", IntegerField()))).values_list("installation_id", "check_type", "t", "v"))
    for inst, check, t, v in rows:
        if (inst, check) in wanted:
            raw[(inst, check)].append((t, v))
    result = {}
    for key, points in raw.items():
        buckets = rebucket(points, step, tz, min)
        filled, i, last = [], 0, None
        b = bucket_of(rng.start, step, tz)
        while b <= rng.end:
            while i < len(buckets) and buckets[i][0] <= b:
                last = buckets[i]
                i += 1
            if last is not None and last[0] == b:
                filled.append((b, last[1]))
            elif last is not None and b - last[0] <= hold:
                filled.append((b, last[1]))
            b += step
        result[key] = [(max(t, rng.start), v) for t, v in filled]
    return result


# ---------------------------------------------------------------- A §2.2 partitions low on space

def low_partitions(installations, rng: Range, threshold_bytes: int) -> list[dict]:
    """Each partition whose latest reading in the range has less than the threshold free."""
    newer = DiskFree.objects.filter(installation_id=OuterRef("installation_id"), path=OuterRef("path"),
                                    observed_at__gt=OuterRef("observed_at"), observed_at__lte=rng.end)
    return list(DiskFree.objects.filter(installation__in=installations, observed_at__gte=rng.start,
                                        observed_at__lte=rng.end, free_bytes__lt=threshold_bytes)
                .annotate(newer=Exists(newer)).filter(newer=False)
                .values("installation_id", "path", "free_bytes", "total_bytes", "observed_at")
                .order_by("free_bytes"))


# ---------------------------------------------------------------- C §6, §7 availability

def worst_availability(check: str, rng: Range, *, installations=None, online_accesses=None,
                       window: timedelta = timedelta(days=30), limit: int = MAX_SERIES) -> tuple[list, int]:
    """(target ids ordered by the availability of the window ending at the range end, worst first, capped;
    how many targets have runs). Whole days from the daily table, the edge hours from the hourly one."""
    sums = window_sums(check, rng.end, installations=installations, online_accesses=online_accesses, window=window)
    ranked = sorted(((ok / total if total else 1.0), key) for key, (total, ok) in sums.items())
    return [key for _, key in ranked[:limit]], len(ranked)


# ---------------------------------------------------------------- B §E DB errors

def db_error_series(installations, rng: Range, tz, step: timedelta | None = None) -> dict[tuple[int, str], list]:
    """{(installation id, message): [(report time or bucket, number of volumes with that error)]}: at each
    report in the range, the volumes whose error was listed by the reports around it (an error entry spans
    the first to the last report that listed it)."""
    step = step or auto_step(rng, minimum=timedelta(hours=1))
    events = list(DbErrorEvent.objects.filter(installation__in=installations, first_seen__lte=rng.end,
                                              last_seen__gte=rng.start)
                  .values_list("installation_id", "message", "code", "volume", "first_seen", "last_seen"))
    if not events:
        return {}
    by_inst = defaultdict(list)
    for inst, message, code, volume, first, last in events:
        label = message or (_("code %(code)s") % {"code": code} if code is not None else "?")
        by_inst[inst].append((label, volume, first, last))
    times = defaultdict(list)
    for inst, t in (Snapshot.objects.filter(installation_id__in=list(by_inst), report_time__gte=rng.start,
                                            report_time__lte=rng.end).values_list("installation_id", "report_time")):
        times[inst].append(t)
    result = {}
    for inst, errs in by_inst.items():
        per_label = defaultdict(list)
        for t in sorted(times[inst]):
            counts = defaultdict(set)
            for label, volume, first, last in errs:
                if first <= t <= last:
                    counts[label].add(volume)
            for label, vols in counts.items():
                per_label[label].append((t, len(vols)))
        for label, points in per_label.items():
            result[(inst, label)] = points if len(points) <= MAX_POINTS else rebucket(points, step, tz, max)
    return result


# ---------------------------------------------------------------- B §F connected users

def newest_reports(installations, rng: Range) -> dict[int, datetime]:
    """{installation id: the time of its newest report in the range}: one index probe per installation."""
    newest = (Snapshot.objects.filter(installation_id=OuterRef("pk"), report_time__gte=rng.start,
                                      report_time__lte=rng.end).order_by("-report_time").values("report_time")[:1])
    rows = (Installation.objects.filter(pk__in=installations).annotate(t=Subquery(newest)).filter(t__isnull=False)
            .values_list("pk", "t"))
    return dict(rows)


def _listed_at_newest(installations, rng: Range, domains, batch: int = 200):
    """(querysets of the sessions listed by each installation's newest report in the range, {installation: t}).
    Sessions with first_seen <= t <= last_seen for that report time t; the installations are grouped by t and
    asked for in batches of OR-ed conditions, each an index range scan on (installation, last_seen), never a
    per-session subquery."""
    newest = newest_reports(installations, rng)
    return _listed(newest, domains, batch), newest


def _listed(newest: dict[int, datetime], domains, batch: int = 200) -> list:
    """The querysets of the sessions listed at {installation: report time t}, as `_listed_at_newest` says."""
    by_time = defaultdict(list)
    for inst, t in newest.items():
        by_time[t].append(inst)
    groups = sorted(by_time.items())
    found = []
    for i in range(0, len(groups), batch):
        q = Q()
        for t, insts in groups[i:i + batch]:
            q |= Q(installation_id__in=sorted(insts), first_seen__lte=t, last_seen__gte=t)
        rows = SessionEvent.objects.filter(q)
        found.append(rows.filter(domain__in=domains) if domains else rows)
    return found


# The table's order: client, host, login, IP, compared by code point as Python compares str (PostgreSQL's "C"
# collation; SQLite's default), so that batches ordered in the database merge in Python.
SESSION_ORDER = ("installation__client__display_name", "installation__name", "login", "ip")


def connected_page(installations, rng: Range, domains=None, limit: int = 2000,
                   batch: int = 200) -> tuple[list[dict], dict, int]:
    """(the first `limit` sessions listed by each installation's newest report in the range, in the table's
    order, with the client's and the installation's names and the report time; {(installation id, login): how
    many IPs the login has in all the listed sessions} for those logins; how many sessions are listed).
    Ordered, cut and counted in the database: a fleet lists tens of thousands of sessions."""
    batches, newest = _listed_at_newest(installations, rng, domains, batch)
    fields = ("installation_id", "login", "started_at", "ip", "browser", "domain", *SESSION_ORDER[:2])
    order = [code_point_order(f).asc() for f in SESSION_ORDER] + ["started_at", "pk"]
    rows = [r for qs in batches for r in qs.order_by(*order).values(*fields)[:limit]]
    rows.sort(key=lambda r: tuple(r[f] for f in SESSION_ORDER))
    rows = rows[:limit]
    ips = {}  # asked of the shown installations alone: an index range scan each
    for qs in _listed({r["installation_id"]: newest[r["installation_id"]] for r in rows}, domains, batch):
        ips.update({(inst, login): n for inst, login, n in qs.values("installation_id", "login")
                    .annotate(n=Count("ip", distinct=True)).values_list("installation_id", "login", "n")})
    for r in rows:
        r["report_time"] = newest[r["installation_id"]]
    total = sum(qs.count() for qs in batches) if len(rows) >= limit else len(rows)
    return rows, ips, total


def connected_logins(installations, rng: Range, domains=None) -> int:
    """How many distinct (installation, login) pairs the sessions of `connected_page` have, counted in the
    database."""
    batches, _newest = _listed_at_newest(installations, rng, domains)
    return sum(qs.values("installation_id", "login").distinct().count() for qs in batches)


# ---------------------------------------------------------------- C §4 SMART.Status

def status_explore(installations, rng: Range, name: str, agg: str, tz, step: timedelta | None = None) -> dict:
    """{installation id: [(bucket, value)]} of one curated .status series, aggregated per bucket in the
    database (min for up/down gauges, max otherwise)."""
    step = step or auto_step(rng, steps=[timedelta(minutes=15), *ALIGNED[1:]])
    func = Min if agg == "min" else Max
    rows = (StatusSample.objects.filter(installation__in=installations, observed_at__gte=rng.start,
                                        observed_at__lte=rng.end).exclude(**{name: None})
            .annotate(t=Trunc("observed_at", trunc_unit(step), tzinfo=tz)).values("installation_id", "t")
            .annotate(v=func(name)).values_list("installation_id", "t", "v"))
    raw = defaultdict(list)
    for inst, t, v in rows:
        raw[inst].append((t, v))
    pick = min if agg == "min" else max
    return {inst: rebucket(points, step, tz, pick) for inst, points in raw.items()}


def status_installations(installations, rng: Range, limit: int = MAX_SERIES) -> tuple[list[int], int]:
    """The installations with status samples in the range (at most `limit`, by client and name) and their count."""
    ids = (InstallationState.objects.filter(installation__in=installations, status_observed_at__gte=rng.start)
           .order_by("installation__client__display_name", "installation__name")
           .values_list("installation_id", flat=True))
    return list(ids[:limit]), ids.count()


def disk_pairs(installations, rng: Range, limit: int = MAX_SERIES) -> tuple[list[tuple[int, str]], int]:
    """The (installation, partition) pairs with the least free space in the range, at most `limit`."""
    rows = (DiskFree.objects.filter(installation__in=installations, observed_at__gte=rng.start,
                                    observed_at__lte=rng.end)
            .values("installation_id", "path").annotate(m=Min("free_bytes")).order_by("m", "installation_id", "path")
            .values_list("installation_id", "path"))
    return list(rows[:limit]), rows.count()


def status_latest(installations) -> list[dict]:
    return list(InstallationState.objects.filter(installation__in=installations, status_observed_at__isnull=False)
                .values("installation_id", "status_observed_at", "status_received_at", "status_values"))


def sample_counts(installations, rng: Range) -> dict[int, int]:
    return dict(StatusSample.objects.filter(installation__in=installations, observed_at__gte=rng.start,
                                            observed_at__lte=rng.end)
                .values("installation_id").annotate(n=Count("id")).values_list("installation_id", "n"))
