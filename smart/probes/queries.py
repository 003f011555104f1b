"""Read side of the check series, for the availability and check-status dashboards (C §6–§7, A §2.1, §2.3).

- `rolling_availability`: per target (installation, online access, or online host), the share of
  successful runs in the 30 days ending at each point (C §6.1/6.2, §7.1/7.2), from the hourly table;
- `check_status`: the 0/1 square wave per (installation, check) from the samples (every change is one);
- `abnormal_states`: the HTTP code per abnormal main-page state and installation (A §2.1, 0 = not seen).
"""
from collections import defaultdict
from datetime import datetime, timedelta

from smart.metrics.queries import Range

from .models import CheckHourly, CheckSample

WINDOW = timedelta(days=30)
ABNORMAL = ("maintenance", "need_support", "server_error", "proxy_error", "refused", "timeout", "key_not_found",
            "seats_exhausted")


def rolling_availability(check: str, rng: Range, *, installations=None, online_accesses=None, by: str = "target",
                         step: timedelta = timedelta(hours=1), window: timedelta = WINDOW) -> dict:
    """{key: [(t, percent | None)]}: successful runs ÷ all runs in [t − window, t] × 100 at each step.
    `by`="target" keys by installation or online-access id; "host" groups online accesses by their host."""
    rows = CheckHourly.objects.filter(check_type=check, hour__gte=rng.start - window, hour__lte=rng.end)
    if installations is not None:
        rows = rows.filter(installation_id__in=installations)
    if online_accesses is not None:
        rows = rows.filter(online_access_id__in=online_accesses)
    key_field = "online_access__host" if by == "host" else ("installation_id" if online_accesses is None else "online_access_id")
    hours = defaultdict(dict)
    for key, hour, total, ok in rows.values_list(key_field, "hour", "total", "ok").iterator():
        cell = hours[key].setdefault(hour, [0, 0])
        cell[0] += total
        cell[1] += ok
    points = _points(rng, step)
    return {key: _rolling(sorted(cells.items()), points, window) for key, cells in hours.items()}


def _points(rng: Range, step: timedelta) -> list[datetime]:
    points, t = [], rng.start
    while t <= rng.end:
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
        series.append((t, round(100.0 * ok / total, 2) if total else None))
    return series


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
