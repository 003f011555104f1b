"""Quarterly analytics: quarter sums per client and per manager, quarter-over-quarter change by hand."""
from datetime import date, datetime

import pytest

from .helpers import check_pages, ctx_for, panel, series_by_name
from .test_prolongation import rollup

SLUG = "quarterly"
ND = "No data"
RANGE = ("2026-01-01T00:00", "2026-09-30T23:59")
NOW = datetime(2026, 8, 15, 12)


@pytest.fixture
def fleet(world):
    from smart.registry.models import Installation

    i1 = Installation.objects.create(dealer=world.dealer, client=world.c1, kind="pushed", name="ROM-1")
    i2 = Installation.objects.create(dealer=world.dealer, client=world.c1, kind="pushed", name="ROM-2",
                                     manager=world.m2)  # an installation with its own manager
    i3 = Installation.objects.create(dealer=world.dealer, client=world.c2, kind="pushed", name="URAL-1")
    # Q4 2025 (the quarter before the range): c1 documents 40
    rollup(i1, date(2025, 11, 3), documents_opened=40)
    # Q1 2026: c1 documents 10 + 5 free (i1) + 45 (i2) = 60, prints 6; c2 documents 0 but reports
    rollup(i1, date(2026, 1, 9), documents_opened=10, documents_free=5, prints=6)
    rollup(i2, date(2026, 3, 31), documents_opened=45)
    rollup(i3, date(2026, 2, 2))
    # Q2: c1 documents 90 (i1), saves 4; c2 documents 30, refusals 2
    rollup(i1, date(2026, 4, 1), documents_opened=90, saves=4, db_requests=10)
    rollup(i3, date(2026, 6, 30), documents_opened=30, refusals_no_seats=2)
    # Q3: no data for c1; c2 documents 30
    rollup(i3, date(2026, 7, 1), documents_opened=30)
    return i1, i2, i3


def rows_of(data, key):
    return {(r[key], r["quarter"]): r for r in data["rows"]}


def test_per_client_quarters_and_change(world, fleet):
    data = panel(SLUG, "clients", ctx_for(world.admin, *RANGE, now=NOW.replace(tzinfo=ctx_tz())))
    rows = rows_of(data, "client")
    c1 = [rows[("Ромашка", q)] for q in ("2026 Q1", "2026 Q2", "2026 Q3 (to date)")]
    assert [r["documents"] for r in c1] == [60, 90, ND]
    # Q1 vs Q4 2025: (60 − 40) / 40 = +50 %; Q2: (90 − 60) / 60 = +50 %; Q3: no data
    assert [r["documents_chg"] for r in c1] == [50.0, 50.0, ND]
    assert [r["prints_chg"] for r in c1] == ["∞", -100.0, ND]
    # activity (all actions): Q2 = 10 DB requests + 90 counted documents + 4 saves
    assert c1[1]["activity"] == 104
    c2 = [rows[("Уралсталь", q)] for q in ("2026 Q1", "2026 Q2", "2026 Q3 (to date)")]
    assert [r["documents"] for r in c2] == [0, 30, 30]
    assert [r["documents_chg"] for r in c2] == [ND, "∞", 0.0]
    assert [r["refusals_no_seats_chg"] for r in c2] == [ND, "∞", -100.0]
    assert c1[0]["manager"] == "Иванова Анна, Петров Сергей"


def test_per_manager_attribution(world, fleet):
    data = panel(SLUG, "managers", ctx_for(world.admin, *RANGE, now=NOW.replace(tzinfo=ctx_tz())))
    rows = rows_of(data, "manager")
    # Иванова: i1 only (i2 has its own manager Петров). Q1 15, Q2 90, Q3 no data
    iv = [rows[("Иванова Анна", q)] for q in ("2026 Q1", "2026 Q2", "2026 Q3 (to date)")]
    assert [r["documents"] for r in iv] == [15, 90, ND] and [r["clients"] for r in iv] == [1, 1, 0]
    assert iv[0]["documents_chg"] == round((15 - 40) / 40 * 100, 1)  # −62.5
    # Петров: i2 (Ромашка) + i3 (Уралсталь): Q1 45 + 0, Q2 30, Q3 30
    pe = [rows[("Петров Сергей", q)] for q in ("2026 Q1", "2026 Q2", "2026 Q3 (to date)")]
    assert [r["documents"] for r in pe] == [45, 30, 30] and [r["clients"] for r in pe] == [2, 1, 1]
    assert pe[1]["documents_chg"] == -33.3
    bars = series_by_name(panel(SLUG, "documents", ctx_for(world.admin, *RANGE, now=NOW.replace(tzinfo=ctx_tz()))))
    assert bars["Петров Сергей"]["y"] == [45, 30, 30] and bars["Иванова Анна"]["y"] == [15, 90, None]


def test_manager_scope(world, fleet):
    data = panel(SLUG, "clients", ctx_for(world.m2, *RANGE))
    # Петров manages Уралсталь and Ромашка's second installation, so Ромашка is his client too (scope.clients)
    rows = rows_of(data, "client")
    assert rows[("Ромашка", "2026 Q1")]["documents"] == 60
    assert rows[("Ромашка", "2026 Q1")]["manager"] == "Петров Сергей"  # a manager's own figures only
    # Иванова does not manage Уралсталь: no row of it in any of her panels
    mgr = rows_of(panel(SLUG, "managers", ctx_for(world.m1, *RANGE)), "manager")
    assert {k[0] for k in mgr} == {"Иванова Анна"}
    assert {k[0] for k in rows_of(panel(SLUG, "clients", ctx_for(world.m1, *RANGE)), "client")} == {"Ромашка"}
    assert set(series_by_name(panel(SLUG, "activity", ctx_for(world.m1, *RANGE)))) == {"Иванова Анна"}
    check_pages(SLUG, [world.admin, world.m1], [world.tech], {"from": RANGE[0], "to": RANGE[1]})


def ctx_tz():
    from .conftest import MSK

    return MSK
