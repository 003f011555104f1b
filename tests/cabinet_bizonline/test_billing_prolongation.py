"""Online Billing. Data for prolongation (C §8): month-end balances per quota month in the client's zone."""
from datetime import datetime, timedelta, timezone

from .conftest import MSK, YEKT, add_reading
from .helpers import check_pages, ctx_for, panel

UTC = timezone.utc
SLUG = "billing-prolongation"
YEAR = ("2026-01-01T00:00", "2026-12-31T23:59:59")
ND = "No data"


def months(row):
    return [row[f"m{m}"] for m in range(1, 13)]


def test_month_end_balances_one_block_per_access(world):
    # rom1: January falls from 300 to 13 (lowest = month end); February exhausted (0) then the reset on March 1
    for day, left in ((2, 290), (20, 80), (31, 13)):
        add_reading(world, world.a1, datetime(2026, 1, day, 12, tzinfo=MSK), documents=(left, 300),
                    search=(3474, 3500), print=(3499, 3500), export=(3467, 3500))
    add_reading(world, world.a1, datetime(2026, 2, 10, tzinfo=MSK), documents=(0, 300), search=(2180, 3500),
                print=(3499, 3500), export=(3480, 3500))
    add_reading(world, world.a1, datetime(2026, 3, 1, 0, 30, tzinfo=MSK), documents=(300, 300), search=(3500, 3500),
                print=(3500, 3500), export=(3500, 3500))
    add_reading(world, world.a2, datetime(2026, 1, 15, tzinfo=MSK), documents=(120, 400), search=(4000, 4000),
                print=(4000, 4000), export=(4000, 4000))
    data = panel(SLUG, "table", ctx_for(world.admin, *YEAR, client=world.c1.pk))
    rows = {r["metric"]: r for r in data["rows"]}
    assert list(rows) == [f"{login}: {label}" for login in ("rom1", "rom2") for label in (
        "Remaining document billing", "Remaining search", "Remaining print", "Remaining download/export",
        "% of the document limit used")]
    docs = rows["rom1: Remaining document billing"]
    assert months(docs)[:4] == [13, 0, 300, ND]
    assert docs["_cell_class"]["m1"] == "bad" and docs["_cell_class"]["m2"] == "bad" and docs["_cell_class"]["m3"] == ""
    assert months(rows["rom1: Remaining search"])[:3] == [3474, 2180, 3500]
    assert months(rows["rom1: % of the document limit used"])[:2] == [round(287 / 300 * 100, 1), 100.0]
    assert months(rows["rom2: Remaining document billing"])[:2] == [120, ND]
    assert rows["rom2: Remaining document billing"]["_cell_class"]["m1"] == "warn"


def test_quota_months_follow_the_clients_zone_and_the_moscow_reset(world):
    """ural is in Yekaterinburg (UTC+5). A reading at 2026-04-30 20:00 UTC is May 1 01:00 there but still
    before the vendor's reset (May 1 00:00 Moscow = April 30 21:00 UTC): it belongs to neither month.
    A reading at 2026-03-31 18:30 UTC (23:30 in Yekaterinburg) is still March."""
    add_reading(world, world.a3, datetime(2026, 3, 31, 18, 30, tzinfo=UTC), documents=(5, 350))
    add_reading(world, world.a3, datetime(2026, 4, 30, 20, 0, tzinfo=UTC), documents=(2, 350))
    add_reading(world, world.a3, datetime(2026, 4, 15, tzinfo=UTC), documents=(40, 350))
    add_reading(world, world.a3, datetime(2026, 5, 1, 0, 0, tzinfo=YEKT) + timedelta(hours=3), documents=(349, 350))
    rows = {r["metric"]: r for r in panel(SLUG, "table", ctx_for(world.admin, *YEAR, client=world.c2.pk))["rows"]}
    assert months(rows["Remaining document billing"])[2:5] == [5, 40, 349]


def test_manager_scope_and_roles(world):
    add_reading(world, world.a1, datetime(2026, 1, 5, tzinfo=MSK), documents=(100, 300))
    data = panel(SLUG, "table", ctx_for(world.m2, *YEAR, client=world.c1.pk))
    assert all("rom" not in r["metric"] for r in data["rows"])
    check_pages(SLUG, [world.admin, world.m1], [world.tech], {"from": YEAR[0], "to": YEAR[1], "var-client": world.c1.pk})


def test_default_client_is_one_with_online_accesses(world):
    """Without a chosen client each year dashboard picks the first client with what it shows: Уралсталь is the only
    client with an installation, Ромашка (first by name) has online accesses."""
    add_reading(world, world.a1, datetime(2026, 2, 5, tzinfo=MSK), documents=(77, 300))
    data = panel(SLUG, "table", ctx_for(world.admin, *YEAR))
    assert "Ромашка" in data["notice"] and months(data["rows"][0])[1] == 77
    assert "Уралсталь" in panel("prolongation", "table", ctx_for(world.admin, *YEAR))["notice"]
