"""Read side of the check series, for the availability and check-status dashboards (C §6–§7, A §2.1, §2.3).

- `rolling_availability`: per target (installation, online access, or online host), the share of
  successful runs in the 30 days ending at each point (C §6.1/6.2, §7.1/7.2), from the hourly table;
- `check_status`: the 0/1 square wave per (installation, check) from the samples (every change is one);
- `abnormal_states`: the HTTP code per abnormal main-page state and installation (A §2.1, 0 = not seen).
"""
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone as dt_timezone

from django.db.models import Q, Sum
from django.db.models.functions import TruncDate

from smart.metrics.queries import Range

from .models import CheckHourly, CheckSample

WINDOW = timedelta(days=30)
ABNORMAL = ("maintenance", "need_support", "server_error", "proxy_error", "refused", "timeout", "key_not_found",
            "seats_exhausted")


def rolling_availability(check: str, rng: Range, *, installations=None, online_accesses=None, by: str = "target",
                         step: timedelta = timedelta(hours=1), window: timedelta = WINDOW, tz=dt_timezone.utc) -> dict:
    """{key: [(t, percent | None)]}: successful runs ÷ all runs in [t − window, t] × 100 at each step.
    `by`="target" keys by installation or online-access id; "host" groups online accesses by their host.

    Below a day the points are rng.start + k × step over hourly cells summed in the database. From a day up
    (long ranges) the points are the zone's midnights in the range, plus rng.end: the database sums whole days
    and returns only the cells the day sums cannot give (the hour starting at each midnight, the window's
    partial days at rng.end), so a 90-day range reads about one row per key and day, not per hour."""
    rows = CheckHourly.objects.filter(check_type=check, hour__gte=rng.start - window, hour__lte=rng.end)
    if installations is not None:
        rows = rows.filter(installation_id__in=installations)
    if online_accesses is not None:
        rows = rows.filter(online_access_id__in=online_accesses)
    key_field = "online_access__host" if by == "host" else ("installation_id" if online_accesses is None else "online_access_id")
    if step < timedelta(days=1):
        cells = _sums(rows, key_field, "hour")
        points = _points(rng.start, rng.end, step)
        return {key: _rolling(sorted(hours.items()), points, window) for key, hours in cells.items()}
    return _rolling_days(rows, key_field, rng, step, window, tz)


def _sums(rows, key_field: str, *group) -> dict:
    """{key: {group value(s): [total, ok]}} summed in the database."""
    found = defaultdict(dict)
    for key, *rest, total, ok in (rows.values(key_field, *group).annotate(t=Sum("total"), o=Sum("ok"))
                                  .values_list(key_field, *group, "t", "o").iterator()):
        found[key][rest[0] if len(rest) == 1 else tuple(rest)] = [total, ok]
    return found


def _points(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    points, t = [], start
    while t <= end:
        points.append(t)
        t += step
    return points


def _rolling(cells: list, points: list, window: timedelta) -> list:
    """A sliding sum over hourly cells (each hour counts once it has begun: its runs are in the past)."""
    series, lo, hi, total, ok = [], 0, 0, 0, 0
    for t in points:
        while hi < len(cells) and cells[hi][0] <= t:
            total, ok = total + cells[hi][1][0], ok + cells[hi][1][1]
            hi += 1
        while lo < hi and cells[lo][0] < t - window:
            total, ok = total - cells[lo][1][0], ok - cells[lo][1][1]
            lo += 1
        series.append((t, _percent(total, ok)))
    return series


def _percent(total: int, ok: int) -> float | None:
    return round(100.0 * ok / total, 2) if total else None


def _rolling_days(rows, key_field: str, rng: Range, step: timedelta, window: timedelta, tz) -> dict:
    """The rolling share at the zone's midnights (every step.days days) and at rng.end. The window before a
    midnight t is the whole local days [t − window, t) plus the hour starting at t (exact where a day has 24
    hours); the point at rng.end sums whole days and the hourly cells of the two partial days at its edges."""
    first = rng.start.astimezone(tz).date()
    midnights = [m for m in (_midnight(first + timedelta(days=n), tz) for n in range(0, (rng.end - rng.start).days + 2,
                                                                                      step.days)) if rng.start <= m <= rng.end]
    days = _sums(rows.annotate(d=TruncDate("hour", tzinfo=tz)), key_field, "d")
    midnight_cells = _sums(rows.filter(hour__in=midnights), key_field, "hour")
    end_lo = rng.end - window  # the end point's window [end_lo, rng.end]: partial days at both edges in hours
    end_days = (end_lo.astimezone(tz).date() + timedelta(days=1), rng.end.astimezone(tz).date())
    edges = _sums(rows.filter(Q(hour__gte=end_lo, hour__lt=_midnight(end_days[0], tz))
                              | Q(hour__gte=_midnight(end_days[1], tz), hour__lte=rng.end)), key_field)
    n_days = window.days
    result = {}
    for key, sums in days.items():
        series = []
        for t in midnights:
            d = t.astimezone(tz).date()
            total, ok = _add(sums, (d - timedelta(days=k) for k in range(1, n_days + 1)), midnight_cells[key].get(t))
            series.append((t, _percent(total, ok)))
        if not midnights or midnights[-1] < rng.end:
            whole = (end_days[0] + timedelta(days=k) for k in range((end_days[1] - end_days[0]).days))
            total, ok = _add(sums, whole, edges[key].get(()) if key in edges else None)
            series.append((rng.end, _percent(total, ok)))
        result[key] = series
    return result


def _midnight(d: date, tz) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=tz)


def _add(sums: dict, days, extra) -> tuple[int, int]:
    total, ok = extra or (0, 0)
    for d in days:
        if cell := sums.get(d):
            total, ok = total + cell[0], ok + cell[1]
    return total, ok


def check_status(rng: Range, *, installations=None, checks=None) -> dict:
    """{(installation_id, check): [(t, 0|1)]}: every stored sample in range, preceded by the state at
    its start, so the square wave is right from the left edge."""
    rows = CheckSample.objects.filter(installation__isnull=False)
    if installations is not None:
        rows = rows.filter(installation_id__in=installations)
    if checks:
        rows = rows.filter(check_type__in=checks)
    series = defaultdict(list)
    before = (rows.filter(at__lt=rng.start).order_by("installation_id", "check_type", "-at")
              .distinct("installation_id", "check_type") if _distinct_on() else None)
    if before is not None:
        for inst, check, ok in before.values_list("installation_id", "check_type", "ok"):
            series[(inst, check)].append((rng.start, int(ok)))
    else:
        latest = {}
        for inst, check, at, ok in rows.filter(at__lt=rng.start).values_list("installation_id", "check_type", "at", "ok"):
            if (inst, check) not in latest or at > latest[(inst, check)][0]:
                latest[(inst, check)] = (at, ok)
        for key, (_, ok) in latest.items():
            series[key].append((rng.start, int(ok)))
    for inst, check, at, ok in (rows.filter(at__gte=rng.start, at__lte=rng.end).order_by("at")
                                .values_list("installation_id", "check_type", "at", "ok").iterator()):
        series[(inst, check)].append((at, int(ok)))
    return dict(series)


def _distinct_on() -> bool:
    from django.db import connection

    return connection.features.can_distinct_on_fields


def abnormal_states(rng: Range, *, installations=None) -> dict:
    """{(installation_id, state): [(t, HTTP code or 0)]} for the main-page check (A §2.1)."""
    rows = CheckSample.objects.filter(check_type="http200", at__gte=rng.start, at__lte=rng.end)
    if installations is not None:
        rows = rows.filter(installation_id__in=installations)
    series = defaultdict(list)
    for inst, at, state, code in rows.order_by("at").values_list("installation_id", "at", "state", "code").iterator():
        for abnormal in ABNORMAL:
            if abnormal == state or series.get((inst, abnormal)):
                series[(inst, abnormal)].append((at, (code or 1) if abnormal == state else 0))
    return dict(series)
