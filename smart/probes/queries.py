"""Read side of the check series, for the availability and check-status dashboards (C §6–§7, A §2.1, §2.3).

- `rolling_availability`: per target (installation, online access, or online host), the share of
  successful runs in the 30 days ending at each point (C §6.1/6.2, §7.1/7.2), from the hourly table and, over
  long ranges, the daily one;
- `window_sums`: the runs and successes of the 30 days ending at one instant (the worst-first ranking);
- `check_status`: the 0/1 square wave per (installation, check) from the samples (every change is one);
- `abnormal_states`: the HTTP code per abnormal main-page state and installation (A §2.1, 0 = not seen).
"""
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone as dt_timezone

from django.db.models import Q, Sum

from smart.metrics.queries import Range

from .models import CheckDaily, CheckHourly, CheckSample

WINDOW = timedelta(days=30)
ABNORMAL = ("maintenance", "need_support", "server_error", "proxy_error", "refused", "timeout", "key_not_found",
            "seats_exhausted")


def rolling_availability(check: str, rng: Range, *, installations=None, online_accesses=None, by: str = "target",
                         step: timedelta = timedelta(hours=1), window: timedelta = WINDOW, tz=dt_timezone.utc) -> dict:
    """{key: [(t, percent | None)]}: successful runs ÷ all runs in [t − window, t] × 100 at each step.
    `by`="target" keys by installation or online-access id; "host" groups online accesses by their host.

    Below a day the points are rng.start + k × step over hourly cells summed in the database. From a day up
    (long ranges) the points are the UTC midnights in the range (shown in the user's zone), plus rng.end: the
    window before a midnight is whole days of the daily table plus the hour starting at it, so a 90-day range
    reads one row per key and day, not 24; the points are given in `tz`, the user's zone."""
    key_field = _key_field(by, online_accesses)
    if step < timedelta(days=1):
        rows = _rows(CheckHourly, check, installations, online_accesses).filter(hour__gte=rng.start - window,
                                                                                 hour__lte=rng.end)
        cells = _sums(rows, key_field, "hour", stream=True)
        points = _points(rng.start, rng.end, step)
        return {key: _rolling(sorted(hours.items()), points, window) for key, hours in cells.items()}
    return _rolling_days(check, installations, online_accesses, by, rng, step, window, tz)


def window_sums(check: str, end: datetime, *, installations=None, online_accesses=None, by: str = "target",
                window: timedelta = WINDOW) -> dict:
    """{key: [total, ok]} over the hours in [end − window, end]: whole UTC days from the daily table, the
    partial days at both edges from the hourly one (at most 48 rows per key)."""
    key_field = _key_field(by, online_accesses)
    end = end.astimezone(dt_timezone.utc)
    lo = end - window
    first_whole, last_day = lo.date() + timedelta(days=1), end.date()
    days = _rows(CheckDaily, check, installations, online_accesses).filter(day__gte=first_whole, day__lt=last_day)
    edges = _rows(CheckHourly, check, installations, online_accesses).filter(
        Q(hour__gte=lo, hour__lt=_midnight(first_whole)) | Q(hour__gte=_midnight(last_day), hour__lte=end))
    found = {}
    for rows in (days, edges):
        for key, total, ok in rows.values(key_field).annotate(t=Sum("total"), o=Sum("ok")).values_list(key_field, "t", "o"):
            cell = found.setdefault(key, [0, 0])
            cell[0], cell[1] = cell[0] + total, cell[1] + ok
    return found


def _key_field(by: str, online_accesses) -> str:
    if by == "host":
        return "online_access__host"
    return "installation_id" if online_accesses is None else "online_access_id"


def _rows(model, check: str, installations, online_accesses):
    rows = model.objects.filter(check_type=check)
    if installations is not None:
        rows = rows.filter(installation_id__in=installations)
    if online_accesses is not None:
        rows = rows.filter(online_access_id__in=online_accesses)
    return rows


def _sums(rows, key_field: str, *group, stream: bool = False) -> dict:
    """{key: {group value(s): [total, ok]}} summed in the database; `stream` reads through a server-side cursor
    (the hourly cells of ranges up to 41 days: up to a million rows), otherwise the rows are few."""
    found = defaultdict(dict)
    rows = (rows.values(key_field, *group).annotate(t=Sum("total"), o=Sum("ok"))
            .values_list(key_field, *group, "t", "o"))
    for key, *rest, total, ok in (rows.iterator() if stream else rows):
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


def _rolling_days(check, installations, online_accesses, by: str, rng: Range, step: timedelta,
                  window: timedelta, tz) -> dict:
    """The rolling share at the UTC midnights (every step.days days) and at rng.end. The window before a
    midnight t is the whole days [t − window, t) plus the hour starting at t; the point at rng.end is
    `window_sums` (whole days and the hourly cells of the two partial days at its edges)."""
    first = rng.start.astimezone(dt_timezone.utc).date()
    midnights = [m for m in (_midnight(first + timedelta(days=n)) for n in range(0, (rng.end - rng.start).days + 2,
                                                                                  step.days)) if rng.start <= m <= rng.end]
    key_field, n_days = _key_field(by, online_accesses), window.days
    days = _sums(_rows(CheckDaily, check, installations, online_accesses)
                 .filter(day__gte=first - timedelta(days=n_days), day__lte=rng.end.astimezone(dt_timezone.utc).date()),
                 key_field, "day")
    midnight_cells = _sums(_rows(CheckHourly, check, installations, online_accesses).filter(hour__in=midnights),
                           key_field, "hour")
    at_end = (window_sums(check, rng.end, installations=installations, online_accesses=online_accesses,
                          by=by, window=window)
              if not midnights or midnights[-1] < rng.end else {})
    result = {}
    for key, sums in days.items():
        series = []
        for t in midnights:
            d = t.date()
            total, ok = _add(sums, (d - timedelta(days=k) for k in range(1, n_days + 1)), midnight_cells[key].get(t))
            series.append((t.astimezone(tz), _percent(total, ok)))
        if not midnights or midnights[-1] < rng.end:
            total, ok = at_end.get(key, (0, 0))
            series.append((rng.end, _percent(total, ok)))
        result[key] = series
    return result


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=dt_timezone.utc)


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
