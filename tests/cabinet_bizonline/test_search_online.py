"""Search queries. Online (B §H)."""
from datetime import datetime, timedelta, timezone

import pytest

from .conftest import MSK
from .helpers import check_pages, ctx_for, panel, series_by_name

UTC = timezone.utc
SLUG = "search-online"
FROM, TO = "2026-11-01T00:00", "2026-11-04T00:00"
LOG = [  # (access, local time, user, text, type, results)
    ("a1", (2026, 11, 1, 9, 5), "ivanov", "гост 30245", "интеллектуальный", 12),
    ("a1", (2026, 11, 1, 14, 0), "ivanov", "сп 3613330-2012", "интеллектуальный", 0),
    ("a2", (2026, 11, 2, 2, 0), "petrova", "приказ минтруда", "атрибутный", 3),
    ("a3", (2026, 11, 2, 12, 0), "sidorov", "ПНД Ф 14.1:2:3:4..112-2023", "интеллектуальный", 0),
    ("a3", (2026, 11, 3, 23, 30), "sidorov", "ГОСТ 9.061-75", "атрибутный", 0),
    ("a1", (2026, 11, 5, 10, 0), "ivanov", "out of range", "интеллектуальный", 1),
]


@pytest.fixture
def log(world):
    from smart.probes.models import OnlineSearch

    for i, (acc, t, user, text, kind, found) in enumerate(LOG):
        OnlineSearch.objects.create(online_access=getattr(world, acc), fingerprint=f"x{i}",
                                    at=datetime(*t, tzinfo=MSK), login=user, text=text, search_type=kind,
                                    results=found)
    return world


def test_table_rows_in_time_order_with_status(log):
    w = log
    data = panel(SLUG, "queries", ctx_for(w.admin, FROM, TO))
    rows = data["rows"]
    assert [r["query"] for r in rows] == [x[3] for x in LOG[:5]]
    assert [r["status"] for r in rows] == ["success", "empty", "success", "empty", "empty"]
    assert [r["_cell_class"]["status"] for r in rows] == ["ok", "bad", "ok", "bad", "bad"]
    assert rows[2]["client"] == "Ромашка" and rows[2]["catalog"] == "docs2" and rows[2]["manager"] == "Иванова Анна"
    assert rows[3]["client"] == "Уралсталь" and rows[3]["user"] == "sidorov"


def test_filters_status_type_catalog_and_scope(log):
    w = log
    empty = panel(SLUG, "queries", ctx_for(w.admin, FROM, TO, search_status="empty"))["rows"]
    assert [r["query"] for r in empty] == [LOG[1][3], LOG[3][3], LOG[4][3]]
    attr = panel(SLUG, "queries", ctx_for(w.admin, FROM, TO, search_type="attribute"))["rows"]
    assert [r["query"] for r in attr] == [LOG[2][3], LOG[4][3]]
    both = panel(SLUG, "queries", ctx_for(w.admin, FROM, TO, search_status=["empty", "success"]))["rows"]
    assert len(both) == 5
    docs2 = panel(SLUG, "queries", ctx_for(w.admin, FROM, TO, search_catalog="docs2"))["rows"]
    assert [r["user"] for r in docs2] == ["petrova"]
    mine = panel(SLUG, "queries", ctx_for(w.m2, FROM, TO))["rows"]
    assert {r["client"] for r in mine} == {"Уралсталь"} and len(mine) == 2
    # empty searches of one client (the upsell workflow)
    upsell = panel(SLUG, "queries", ctx_for(w.admin, FROM, TO, client=w.c1.pk, search_status="empty"))["rows"]
    assert [r["query"] for r in upsell] == [LOG[1][3]]


def test_queries_per_day(log):
    w = log
    data = series_by_name(panel(SLUG, "per-day", ctx_for(w.admin, FROM, TO)))
    # Moscow days: Nov 1: 1 ok + 1 empty; Nov 2: 1 ok + 1 empty; Nov 3: 1 empty
    assert data["Successful"]["y"] == [1, 1, 0] and data["Empty"]["y"] == [1, 1, 1]
    only_empty = series_by_name(panel(SLUG, "per-day", ctx_for(w.admin, FROM, TO, search_status="empty")))
    assert set(only_empty) == {"Empty"}


def test_variable_options_and_roles(log):
    from smart.cabinet.queries_bizonline import search_variable_options

    w = log
    ctx = ctx_for(w.admin, FROM, TO)
    assert [v for v, _l in search_variable_options("search_catalog", ctx)] == ["docs1", "docs2"]
    assert [v for v, _l in search_variable_options("search_catalog", ctx_for(w.m2, FROM, TO))] == ["docs1"]
    check_pages(SLUG, [w.admin, w.m1], [w.tech], {"from": FROM, "to": TO, "var-search_status": "empty"})
