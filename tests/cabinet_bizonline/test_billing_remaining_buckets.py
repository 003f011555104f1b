"""Billing Online. Statistics, "Remaining" charts: the step grows with the range (lowest reading per bucket),
and beyond REMAINING_TOP accesses the ones with the fewest units left are drawn, the others as one mean line."""
from datetime import datetime, timedelta
from statistics import mean

from .conftest import MSK, add_reading
from .helpers import ctx_for, panel, series_by_name

SLUG = "billing-stats"


def test_a_month_is_drawn_in_three_hour_buckets_of_the_lowest_reading(world):
    start = datetime(2026, 11, 1, tzinfo=MSK)
    for h in range(30 * 24):
        add_reading(world, world.a1, start + timedelta(hours=h), documents=(300 - h // 5, 300))
    data = panel(SLUG, "docs-left", ctx_for(world.admin, "2026-11-01T00:00", "2026-12-01T00:00"))
    (s,) = data["series"]
    assert data["step"] == 3 * 3600
    assert len(s["x"]) == 240
    # buckets start at Moscow midnight, 03:00, 06:00 …; each holds the lowest of its three readings
    assert datetime.fromisoformat(str(s["x"][0])) == start
    assert datetime.fromisoformat(str(s["x"][1])) == start + timedelta(hours=3)
    assert s["y"][:3] == [min(300 - h // 5 for h in range(k * 3, k * 3 + 3)) for k in range(3)]
    assert s["y"][-1] == 300 - (30 * 24 - 1) // 5
    assert "3 hours" in data["notice"]


def test_ten_days_stay_hourly(november):
    data = panel(SLUG, "docs-left", ctx_for(november.admin, "2026-11-01T00:00", "2026-11-11T00:00"))
    assert data["step"] == 3600 and "notice" not in data


def test_beyond_the_top_the_others_are_one_mean_line(world, monkeypatch):
    from smart.cabinet import queries_bizonline as q

    monkeypatch.setattr(q, "REMAINING_TOP", 2)
    start = datetime(2026, 11, 1, tzinfo=MSK)
    last = {world.a1: 120, world.a2: 40, world.a3: 300}
    for h in range(4):
        for acc, final in last.items():
            add_reading(world, acc, start + timedelta(hours=h), documents=(final + 3 - h, 400))
    data = panel(SLUG, "docs-left", ctx_for(world.admin, "2026-11-01T00:00", "2026-11-01T04:00"))
    series = series_by_name(data)
    # the two nearest exhaustion (40 and 120 left) one by one, ascending by Last; Уралсталь (300 left) in "Others"
    assert [s["name"] for s in data["series"]] == ["Ромашка / rom2", "Ромашка / rom1", "Others (mean of 1 accesses)"]
    assert series["Ромашка / rom2"]["y"] == [43, 42, 41, 40]
    assert series["Others (mean of 1 accesses)"]["y"] == [303, 302, 301, 300]
    assert "Others" in data["notice"]


def test_the_others_line_is_the_mean_of_their_readings(world, monkeypatch):
    from smart.cabinet import queries_bizonline as q

    monkeypatch.setattr(q, "REMAINING_TOP", 1)
    start = datetime(2026, 11, 1, tzinfo=MSK)
    values = {world.a1: [10, 9], world.a2: [200, 150], world.a3: [333, 320]}
    for acc, ys in values.items():
        for h, v in enumerate(ys):
            add_reading(world, acc, start + timedelta(hours=h), documents=(v, 400))
    data = panel(SLUG, "docs-left", ctx_for(world.admin, "2026-11-01T00:00", "2026-11-01T02:00"))
    series = series_by_name(data)
    assert list(series) == ["Ромашка / rom1", "Others (mean of 2 accesses)"]
    assert series["Others (mean of 2 accesses)"]["y"] == [round(mean([200, 333]), 1), round(mean([150, 320]), 1)]
