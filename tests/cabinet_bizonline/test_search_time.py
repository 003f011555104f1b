"""Search query execution time (C §10)."""
from datetime import datetime, timezone

import pytest

from .helpers import check_pages, ctx_for, panel, series_by_name

UTC = timezone.utc
SLUG = "search-time"
FROM, TO = "2026-11-01T00:00", "2026-11-08T00:00"
LOG = [  # (installation, at, login, text, catalogue, results, duration ms)
    ("i1", (2026, 11, 2, 9), "ivanov", "МИ 2273-93", "docs", 4, 1010),
    ("i1", (2026, 11, 2, 10), "ivanov", "приказ минпромторг 2510", "kodeks02", 0, 15400),
    ("i1", (2026, 11, 3, 11), "petrov", "гост", "docs", 9, 300),
    ("i2", (2026, 11, 4, 12), "sid", "ГОСТ 30971-2012", "/docs", 2, 144000),
    ("i2", (2026, 11, 9, 12), "sid", "out of range", "docs", 2, 50000),
]


@pytest.fixture
def log(world):
    from smart.metrics.models import SearchEvent
    from smart.registry.models import Installation

    insts = {"i1": Installation.objects.create(dealer=world.dealer, client=world.c1, kind="pulled",
                                               name="10234.te-cloud.ru:443"),
             "i2": Installation.objects.create(dealer=world.dealer, client=world.c2, kind="pushed", name="URAL-7")}
    for n, (i, t, login, text, cat, found, ms) in enumerate(LOG):
        SearchEvent.objects.create(installation=insts[i], fingerprint=f"s{n}", at=datetime(*t, tzinfo=UTC),
                                   login=login, text=text, catalogue=cat, results=found, duration_ms=ms,
                                   search_type="intelligent")
    return world, insts


def test_points_over_the_default_threshold(log):
    world, _insts = log
    data = panel(SLUG, "points", ctx_for(world.admin, FROM, TO))
    s = series_by_name(data)
    assert set(s) == {"10234.te-cloud.ru:443/docs", "10234.te-cloud.ru:443/kodeks02", "URAL-7/docs"}
    assert s["URAL-7/docs"]["y"] == [144.0] and s["10234.te-cloud.ru:443/docs"]["y"] == [1.01]
    assert data["log"] is True and all(x["mode"] == "markers" for x in data["series"])
    assert data["series"][0]["name"] == "URAL-7/docs"  # sorted by max duration
    assert "1 s" in data["notice"]


def test_threshold_status_catalog_and_table(log):
    world, _insts = log
    rows = panel(SLUG, "queries", ctx_for(world.admin, FROM, TO, search_threshold="10"))["rows"]
    assert [(r["query"], r["duration"], r["catalog"], r["client"]) for r in rows] == [
        ("ГОСТ 30971-2012", 144.0, "docs", "URAL-7"),
        ("приказ минпромторг 2510", 15.4, "kodeks02", "10234.te-cloud.ru:443")]
    assert rows[0]["_cell_class"]["duration"] == "bad"
    ok = panel(SLUG, "queries", ctx_for(world.admin, FROM, TO, search_status="success"))["rows"]
    assert [r["query"] for r in ok] == ["ГОСТ 30971-2012", "МИ 2273-93"]
    docs = panel(SLUG, "queries", ctx_for(world.admin, FROM, TO, search_catalog="docs"))["rows"]
    assert {r["query"] for r in docs} == {"ГОСТ 30971-2012", "МИ 2273-93"}
    low = panel(SLUG, "queries", ctx_for(world.admin, FROM, TO, search_threshold="0.5"))["rows"]
    assert len(low) == 3  # 300 ms is still under 0.5 s


def test_scope_and_roles(log):
    world, insts = log
    rows = panel(SLUG, "queries", ctx_for(world.m1, FROM, TO))["rows"]
    assert {r["client"] for r in rows} == {"10234.te-cloud.ru:443"}
    rows = panel(SLUG, "queries", ctx_for(world.m1, FROM, TO, host=insts["i2"].pk))["rows"]
    assert rows == []
    check_pages(SLUG, [world.admin, world.m2], [world.tech], {"from": FROM, "to": TO})
