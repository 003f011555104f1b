"""C §6, §7 over a long range: daily points at the UTC midnights (plus the range end), read from the daily table,
each the same rolling 30-day share as an hourly point at that instant, checked against a brute-force sum over the
hourly rows."""
import random
from datetime import datetime, timedelta

from smart.cabinet.dashboards import REGISTRY
from smart.cabinet.dashboards.availability import step_for
from smart.metrics.queries import Range
from smart.probes.models import CheckHourly
from smart.probes.store import rebuild_daily

from .conftest import T0, by_name, make_ctx

H = timedelta(hours=1)
WINDOW = timedelta(days=30)


def _fill(target, check, hours, online=False, seed=1):
    """Hourly rows with random failures; returns {hour: (total, ok)}."""
    rng = random.Random(seed)
    cells = {}
    rows = []
    for h in range(hours):
        total = rng.choice([0, 4, 60])
        ok = total - (rng.randint(0, total) if rng.random() < 0.05 else 0)
        at = T0 + h * H
        cells[at] = (total, ok)
        key = f"{'o' if online else 'i'}{target.pk}:{check}"
        rows.append(CheckHourly(target_key=key, check_type=check, hour=at, total=total, ok=ok,
                                **({"online_access": target} if online else {"installation": target})))
    CheckHourly.objects.bulk_create(rows)
    rebuild_daily()  # rows written straight into the hourly table
    return cells


def _expected(cells, t):
    """Successful ÷ all runs of the hours in [t − 30 days, t], both ends included."""
    total = sum(c[0] for h, c in cells.items() if t - WINDOW <= h <= t)
    ok = sum(c[1] for h, c in cells.items() if t - WINDOW <= h <= t)
    return round(100 * ok / total, 2) if total else None


def test_long_ranges_step_by_day_short_ones_by_hour():
    assert step_for(Range(T0, T0 + timedelta(days=30))) == H
    assert step_for(Range(T0, T0 + timedelta(days=90))) == timedelta(days=1)


def test_daily_points_are_the_rolling_share_at_each_utc_midnight(world):
    zavod = world["inst"]["zavod"]
    cells = _fill(zavod, "http200", 130 * 24)
    start, end = T0 + timedelta(days=35, hours=7, minutes=20), T0 + timedelta(days=125, hours=5, minutes=10)
    ctx = make_ctx(world["users"]["admin"], start, end, tz="Europe/Moscow")
    series = by_name(REGISTRY["availability"].panel("interface").query(ctx))["zavod.example:80"]
    xs = [datetime.fromisoformat(x) for x in series["x"]]
    # the UTC midnights inside the range (03:00 in Moscow, shown in the user's zone), then the range end
    assert xs[0] == T0 + timedelta(days=36) and xs[-2] == T0 + timedelta(days=125)
    assert all(x.utcoffset() == timedelta(hours=3) and x.hour == 3 for x in xs[:-1]) and len(xs) == 90 + 1
    assert xs[-1] == end
    for x, y in zip(xs, series["y"]):
        assert y == _expected(cells, x), x


def test_daily_points_by_server_join_the_accesses(world):
    o = world["online"]
    a = _fill(o["zavod"], "billing", 100 * 24, online=True, seed=2)
    b = _fill(o["bank"], "billing", 100 * 24, online=True, seed=3)
    _fill(o["far"], "billing", 100 * 24, online=True, seed=4)  # another dealer's access on the same host
    joined = {h: (a[h][0] + b[h][0], a[h][1] + b[h][1]) for h in a}
    start, end = T0 + timedelta(days=40), T0 + timedelta(days=99, hours=13)
    ctx = make_ctx(world["users"]["admin"], start, end)
    series = by_name(REGISTRY["availability-online"].panel("by-server").query(ctx))["buh1.kodeks.ru"]
    assert len(series["x"]) == 60 + 1
    for x, y in zip(series["x"], series["y"]):
        assert y == _expected(joined, datetime.fromisoformat(x)), x


def test_worst_first_ranking_sums_whole_days_and_edge_hours_like_the_hourly_rows(world):
    from smart.cabinet.queries_tech import worst_availability
    from smart.probes.queries import window_sums

    inst = world["inst"]
    cells = {name: _fill(inst[name], "tcp", 70 * 24, seed=seed) for name, seed in (("zavod", 7), ("bank", 8))}
    end = T0 + timedelta(days=61, hours=9, minutes=40)  # mid-day: partial days at both edges of the window
    sums = window_sums("tcp", end, installations=[inst["zavod"].pk, inst["bank"].pk])
    for name in ("zavod", "bank"):
        hours = [c for h, c in cells[name].items() if end - WINDOW <= h <= end]
        assert sums[inst[name].pk] == [sum(c[0] for c in hours), sum(c[1] for c in hours)]
    expected = sorted(("zavod", "bank"), key=lambda n: _expected(cells[n], end))
    ids, total = worst_availability("tcp", Range(end - timedelta(days=90), end),
                                    installations=[inst["zavod"].pk, inst["bank"].pk])
    assert total == 2 and ids == [inst[n].pk for n in expected]
