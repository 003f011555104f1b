"""Prolongation data (A §5): monthly totals and the corrected month-over-month %, worked by hand."""
from datetime import date, datetime, timezone

import pytest

from .helpers import check_pages, ctx_for, panel

UTC = timezone.utc
SLUG = "prolongation"
YEAR = ("2026-01-01T00:00", "2026-12-31T23:59:59")


def rollup(inst, day, **fields):
    from smart.metrics.models import DailyRollup

    return DailyRollup.objects.create(installation=inst, day=day, reports=1, **fields)


def search(inst, at, kind="intelligent", n=[0]):
    from smart.metrics.models import SearchEvent

    n[0] += 1
    SearchEvent.objects.create(installation=inst, fingerprint=f"f{n[0]}", at=at, login="u", text="гост",
                               search_type=kind, results=3)


@pytest.fixture
def installations(world):
    from smart.registry.models import Installation

    i1 = Installation.objects.create(dealer=world.dealer, client=world.c1, kind="pushed", name="ROMASHKA-1")
    i2 = Installation.objects.create(dealer=world.dealer, client=world.c1, kind="pushed", name="ROMASHKA-2")
    # December 2025: only prints
    rollup(i1, date(2025, 12, 15), prints=1)
    # January: documents 20 + 3 free + 5 = 28; prints 2; rejected 3; saves 10; db requests 50
    rollup(i1, date(2026, 1, 10), documents_opened=20, documents_free=3, prints=2, refusals_no_seats=2, saves=6,
           db_requests=50)
    rollup(i2, date(2026, 1, 11), documents_opened=5, refusals_no_seats=1, saves=4)
    # February: documents 234 (two days), saves 34, prints 0, rejected 1
    rollup(i1, date(2026, 2, 1), documents_opened=200, saves=30, refusals_no_seats=1)
    rollup(i2, date(2026, 2, 28), documents_opened=34, saves=4)
    # March: reports, no use at all (zeros, not "no data")
    rollup(i1, date(2026, 3, 5))
    # April: nothing received (no data); May: documents 100, prints 4, empty searches 7, kAssist 9
    rollup(i2, date(2026, 5, 20), documents_opened=100, prints=4, empty_searches=7, kassist_requests=9)
    # the search log: two intelligent + one attribute search in January; one at 2026-01-31 22:30 UTC, which is
    # already February in Moscow (the installations' zone)
    search(i1, datetime(2026, 1, 10, 9, tzinfo=UTC))
    search(i2, datetime(2026, 1, 12, 9, tzinfo=UTC))
    search(i1, datetime(2026, 1, 12, 10, tzinfo=UTC), kind="attribute")
    search(i1, datetime(2026, 1, 31, 22, 30, tzinfo=UTC))
    # another client's installation must not count
    other = Installation.objects.create(dealer=world.dealer, client=world.c2, kind="pushed", name="URAL-2")
    rollup(other, date(2026, 1, 10), documents_opened=999)
    return i1, i2


def rows_by_label(data):
    return {r["metric"]: r for r in data["rows"]}


def months(row):
    return [row[f"m{m}"] for m in range(1, 13)]


ND = "No data"


def test_hand_worked_year(world, installations):
    data = panel(SLUG, "table", ctx_for(world.admin, *YEAR, client=world.c1.pk))
    assert [c["title"] for c in data["columns"]][1:4] == ["January", "February", "March"]
    rows = rows_by_label(data)
    docs = rows["Number of documents requested from the DB"]
    assert months(docs) == [28, 234, 0, ND, 100] + [ND] * 7
    # January after December's 0: ∞; (234 − 28) / 28 × 100 = 735.7… → 736; March (0 − 234) / 234 = −100;
    # April no data; May after a month without data: ∞
    assert months(rows["% change of documents vs the previous month"]) == ["∞", 736.0, -100.0, ND, "∞"] + [ND] * 7
    # January compares with the previous December: prints 1 → 2 = +100 %; Feb 0 → −100; March 0 after 0: no data
    assert months(rows["Number of printed documents"])[:5] == [2, 0, 0, ND, 4]
    assert months(rows["% change of printed documents"])[:5] == [100.0, -100.0, ND, ND, "∞"]
    # rejected attempts 3 → 1: (1 − 3) / 3 × 100 = −66.7
    assert months(rows["Connection attempts rejected because no free licences were left"])[:3] == [3, 1, 0]
    assert months(rows["% change of rejected attempts vs the previous month"])[:3] == ["∞", -66.7, -100.0]
    # saves 10 → 34: +240 %
    assert months(rows["% change of saved documents"])[:2] == ["∞", 240.0]
    # intelligent searches + documents: January 28 + 2, February 234 + 1 (the late-January UTC search)
    assert months(rows["User activity: intelligent-search queries + opened documents"])[:3] == [30, 235, 0]
    # all actions (00-product): January 50 DB requests + 25 counted documents + 2 prints + 10 saves = 87
    assert months(rows["User activity: all actions"])[:2] == [87, 234 + 34]
    assert months(rows["Searches that found nothing"])[4] == 7 and months(rows["kAssist requests"])[4] == 9
    assert "notice" not in data


def test_change_formula_edge_cases():
    from smart.cabinet.queries_bizonline import change_pct, sig3

    assert change_pct(234, 28) == 736.0
    assert change_pct(1, 3) == -66.7
    assert change_pct(5, 0) == "∞" and change_pct(5, None) == "∞"
    assert change_pct(0, 0) is None and change_pct(0, None) is None and change_pct(None, 4) is None
    assert change_pct(0, 2) == -100.0 and change_pct(2, 1) == 100.0
    assert sig3(1234.5) == 1230.0 and sig3(-0.2764) == -0.276 and sig3(9.7222) == 9.72


def test_one_client_only_and_default_client(world, installations):
    # no client chosen: the first client (by name) with installations is shown, with a note
    data = panel(SLUG, "table", ctx_for(world.admin, *YEAR))
    assert "Ромашка" in data["notice"]
    assert months(rows_by_label(data)["Number of documents requested from the DB"])[0] == 28
    header = panel(SLUG, "client", ctx_for(world.admin, *YEAR, client=world.c1.pk))["html"]
    assert "Ромашка" in header and "Иванова Анна" in header and "2026" in header


def test_partial_range_still_shows_the_whole_year(world, installations):
    data = panel(SLUG, "table", ctx_for(world.admin, "2026-03-01T00:00", "2026-04-01T00:00", client=world.c1.pk))
    assert months(rows_by_label(data)["Number of documents requested from the DB"])[0] == 28
    assert "2026" in data["notice"]
    data = panel(SLUG, "table", ctx_for(world.admin, "2025-01-01T00:00", "2026-01-01T00:00", client=world.c1.pk))
    assert months(rows_by_label(data)["Number of documents requested from the DB"]) == [ND] * 11 + [0]  # December: prints only
    assert months(rows_by_label(data)["Number of printed documents"])[11] == 1


def test_manager_scope(world, installations):
    # m2 asking for m1's client sees no client at all (not the client's data)
    data = panel(SLUG, "table", ctx_for(world.m2, *YEAR, client=world.c1.pk))
    assert all(v == ND for r in data["rows"] for k, v in r.items() if k.startswith("m"))
    data = panel(SLUG, "table", ctx_for(world.m1, *YEAR, client=world.c1.pk))
    assert months(rows_by_label(data)["Number of documents requested from the DB"])[0] == 28


def test_pages_and_panels_answer_by_role(world, installations):
    check_pages(SLUG, [world.admin, world.m1], [world.tech], {"from": YEAR[0], "to": YEAR[1],
                                                              "var-client": world.c1.pk})
