"""Billing Online. Statistics (A §4): every panel against values computed here from the raw readings."""
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from .conftest import MSK, add_reading
from .helpers import check_pages, ctx_for, panel, panel_json, http, series_by_name

UTC = timezone.utc
SLUG = "billing-stats"
FROM, TO = "2026-11-01T00:00", "2026-11-11T00:00"


def raw_latest(world, access_id, end):
    rows = [r for r in world.readings if r[0] == access_id and r[1] < end]
    return max(rows, key=lambda r: r[1])[2]


def test_table_shows_the_newest_reading_percentages_colours_and_mean(november):
    w = november
    data = panel(SLUG, "billing", ctx_for(w.admin, FROM, TO))
    rows = {r["login"]: r for r in data["rows"]}
    assert set(rows) == {"rom1", "rom2", "ural"}
    end = datetime(2026, 11, 11, tzinfo=MSK)
    for acc in (w.a1, w.a2, w.a3):
        raw = raw_latest(w, acc.pk, end)
        row = rows[acc.login]
        left, limit = raw["documents"]
        assert row["documents"] == left
        assert row["docs_pct"] == round((limit - left) / limit * 100, 1)
        sl, slim = raw["search"]
        assert row["search_pct"] == round((slim - sl) / slim * 100, 1)
        assert row["print"] == raw["print"][0] and row["export"] == raw["export"][0]
    # the last hour is h=239: rom1 300 − 119 = 181 (no colour), ural 350 − 286 = 64 (yellow), rom2 400 − 23 = 377
    assert (rows["rom1"]["documents"], rows["ural"]["documents"], rows["rom2"]["documents"]) == (181, 64, 377)
    assert rows["ural"]["_cell_class"]["documents"] == "warn" and rows["rom1"]["_cell_class"]["documents"] == ""
    # rom2 used 23 of 400 = 5.75 % → 5.8 %, red below 10 %
    assert rows["rom2"]["docs_pct"] == 5.8 and rows["rom2"]["_cell_class"]["docs_pct"] == "bad"
    assert "docs_pct" not in rows["ural"]["_cell_class"]
    # default sort: documents ascending
    assert [r["login"] for r in data["rows"]] == ["ural", "rom1", "rom2"]
    # the Mean footer: over all rows
    assert data["footer"]["documents"] == round((181 + 64 + 377) / 3, 1)
    assert data["footer"]["docs_pct"] == round(sum(r["docs_pct"] for r in data["rows"]) / 3, 1)
    assert data["page_size"] == 13


def test_red_below_50_and_on_exhaustion(world):
    at = datetime(2026, 11, 5, 12, tzinfo=MSK)
    add_reading(world, world.a1, at, documents=(49, 300), search=(0, 3000), print=(150, 3000), export=(149, 3500))
    row = panel(SLUG, "billing", ctx_for(world.admin, FROM, TO))["rows"][0]
    assert row["login"] == "rom1"
    assert row["_cell_class"]["documents"] == "bad" and row["_cell_class"]["search"] == "bad"
    assert row["_cell_class"]["print"] == "" and row["_cell_class"]["export"] == "warn"
    assert row["forecast"] == "exhausted" and row["forecast_counter"] == "search"
    assert row["_cell_class"]["forecast"] == "bad"


def test_forecast_hand_worked(world):
    """10 days into November (Moscow), 120 of 300 documents used: 12 a day, 180 left → 15 more days: Nov 26.
    Search: 100 of 3000 used in 10 days runs out long after the month: only documents are forecast."""
    at = datetime(2026, 11, 11, tzinfo=MSK)
    add_reading(world, world.a1, at, documents=(180, 300), search=(2900, 3000), print=(3000, 3000), export=(None, None))
    # rom2 burns slowly: 40 of 400 in 10 days → 360 left lasts 90 more days: not this month
    add_reading(world, world.a2, at, documents=(360, 400), search=(3990, 4000), print=(3000, 3000), export=(3500, 3500))
    rows = {r["login"]: r for r in panel(SLUG, "billing", ctx_for(world.admin, FROM, "2026-11-12T00:00"))["rows"]}
    assert rows["rom1"]["forecast"] == "2026-11-26" and rows["rom1"]["forecast_counter"] == "documents"
    assert rows["rom2"]["forecast"] == "not this month" and "forecast_counter" not in rows["rom2"]
    assert rows["ural"].get("documents") is None  # no reading in range: empty cells, still listed


def test_forecast_uses_the_clients_zone_for_the_date(world):
    """ural (Yekaterinburg, UTC+5), 4 days after the reset: 96 of 358 used (1 an hour), 262 left → 262 more
    hours: 2026-11-15 22:00 Moscow, which is already the 16th in Yekaterinburg."""
    at = datetime(2026, 11, 5, tzinfo=MSK)
    add_reading(world, world.a3, at, documents=(262, 358))
    row = {r["login"]: r for r in panel(SLUG, "billing", ctx_for(world.admin, FROM, TO))["rows"]}["ural"]
    assert row["forecast"] == "2026-11-16"


def test_remaining_series_are_hourly_minimums_with_bands_and_log_axis(november):
    w = november
    data = panel(SLUG, "docs-left", ctx_for(w.admin, FROM, TO))
    assert data["log"] is True
    assert data["bands"] == [{"from": 0, "to": 50, "color": "#c62828"}, {"from": 50, "to": 150, "color": "#f2c94c"}]
    series = series_by_name(data)
    assert set(series) == {"Ромашка / rom1", "Ромашка / rom2", "Уралсталь / ural"}
    expected = [r[2]["documents"][0] for r in w.readings if r[0] == w.a3.pk]
    assert series["Уралсталь / ural"]["y"] == expected
    assert len(series["Уралсталь / ural"]["x"]) == 240
    # legend order: Last * ascending
    assert [s["name"] for s in data["series"]][0] == "Уралсталь / ural"
    search = series_by_name(panel(SLUG, "search-left", ctx_for(w.admin, FROM, TO)))
    assert search["Ромашка / rom1"]["y"][-1] == 3000 - int(2.0 * 239)


def test_average_percent_all_and_per_manager(november):
    w = november
    per_hour, per_manager = defaultdict(list), defaultdict(list)
    manager = {w.a1.pk: "Иванова Анна", w.a2.pk: "Иванова Анна", w.a3.pk: "Петров Сергей"}
    for access_id, at, values in w.readings:
        left, limit = values["documents"]
        pct = (limit - left) / limit * 100
        per_hour[at].append(pct)
        per_manager[(manager[access_id], at)].append(pct)
    data = panel(SLUG, "docs-pct-all", ctx_for(w.admin, FROM, TO))
    (s,) = data["series"]
    assert s["name"] == "Percent" and len(s["y"]) == 240
    last = max(per_hour)
    assert s["y"][-1] == round(sum(per_hour[last]) / 3, 2)
    by_m = series_by_name(panel(SLUG, "docs-pct-manager", ctx_for(w.admin, FROM, TO)))
    assert set(by_m) == {"Иванова Анна", "Петров Сергей"}
    for name in by_m:
        assert by_m[name]["y"][-1] == round(sum(per_manager[(name, last)]) / len(per_manager[(name, last)]), 2)
    bands = panel(SLUG, "docs-pct-manager", ctx_for(w.admin, FROM, TO))["bands"]
    assert bands[0]["to"] == 15 and bands[1]["from"] == 15


def test_problems_table_lists_failed_scrapes(world):
    from smart.probes.models import CheckSample

    at = datetime(2026, 11, 3, 10, tzinfo=MSK)
    CheckSample.objects.create(dealer=world.dealer, online_access=world.a3, check_type="billing", at=at, ok=False,
                               state="LoginPasswordError", detail="login 'ural' rejected")
    CheckSample.objects.create(dealer=world.dealer, online_access=world.a1, check_type="billing", at=at, ok=True,
                               state="ok")
    CheckSample.objects.create(dealer=world.dealer, online_access=world.a1, check_type="searches",
                               at=at + timedelta(hours=1), ok=False, state="ReadTimeOut")
    rows = panel(SLUG, "problems", ctx_for(world.admin, FROM, TO))["rows"]
    assert [(r["client"], r["login"], r["error"], r["address"], r["catalog"]) for r in rows] == [
        ("Ромашка", "rom1", "ReadTimeOut", "online.kodeks.ru", "docs1"),
        ("Уралсталь", "ural", "LoginPasswordError", "online.kodeks.ru", "docs1")]
    assert rows[1]["manager"] == "Петров Сергей"
    empty = panel(SLUG, "problems", ctx_for(world.admin, "2026-11-05T00:00", TO))
    assert empty["rows"] == [] and empty["notice"]


def test_a_manager_sees_only_their_accesses_in_every_panel(november):
    w = november
    from smart.probes.models import CheckSample

    CheckSample.objects.create(dealer=w.dealer, online_access=w.a3, check_type="billing",
                               at=datetime(2026, 11, 3, tzinfo=MSK), ok=False, state="ConnectionTimeout")
    ctx = ctx_for(w.m1, FROM, TO)
    assert {r["login"] for r in panel(SLUG, "billing", ctx)["rows"]} == {"rom1", "rom2"}
    for key in ("docs-left", "search-left", "print-left", "export-left"):
        assert all("ural" not in s["name"] for s in panel(SLUG, key, ctx)["series"])
    assert set(series_by_name(panel(SLUG, "docs-pct-manager", ctx))) == {"Иванова Анна"}
    assert panel(SLUG, "problems", ctx)["rows"] == []
    # asking for the other manager's client gives nothing, not their data
    ctx = ctx_for(w.m1, FROM, TO, client=w.c2.pk)
    assert panel(SLUG, "billing", ctx)["rows"] == []
    # the login variable narrows to one access
    ctx = ctx_for(w.admin, FROM, TO, login=w.a2.pk)
    assert [r["login"] for r in panel(SLUG, "billing", ctx)["rows"]] == ["rom2"]


def test_pages_and_panels_answer_by_role(november):
    w = november
    check_pages(SLUG, [w.admin, w.m1], [w.tech], {"from": FROM, "to": TO})
    data = panel_json(http(w.m1), SLUG, "billing", **{"from": FROM, "to": TO})
    assert {r["login"] for r in data["rows"]} == {"rom1", "rom2"}
