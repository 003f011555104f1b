"""Online Billing. Analytics (C §1)."""
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from .conftest import MSK
from .helpers import check_pages, ctx_for, panel, series_by_name

UTC = timezone.utc
SLUG = "billing-analytics"
FROM, TO = "2026-11-01T00:00", "2026-11-11T00:00"


def test_per_manager_average_and_bands_by_mode(november):
    w = november
    data = panel(SLUG, "docs-pct-manager", ctx_for(w.admin, FROM, TO))
    assert [b["to"] for b in data["bands"]] == [15, 100]
    # hour 100 after the reset: Иванова's two accesses 300 − 50 and 400 − 10 → (50/300 + 10/400) / 2 × 100
    at = datetime(2026, 11, 1, tzinfo=MSK) + timedelta(hours=100)
    s = series_by_name(data)["Иванова Анна"]
    i = [x.astimezone(UTC) for x in s["x"]].index(at.astimezone(UTC))
    assert s["y"][i] == round((50 / 300 + 10 / 400) / 2 * 100, 2)
    client_mode = panel(SLUG, "docs-pct-manager", ctx_for(w.admin, FROM, TO, client=w.c2.pk))
    assert [(b["from"], b["to"]) for b in client_mode["bands"]] == [(0, 15), (15, 75), (75, 90), (90, 100)]
    assert set(series_by_name(client_mode)) == {"Петров Сергей"}
    # ural: 1.2 documents an hour of 350
    ural = series_by_name(client_mode)["Петров Сергей"]["y"]
    assert ural[100] == round(int(1.2 * 100) / 350 * 100, 2)


def test_all_clients_average_follows_the_client_choice(november):
    w = november
    one = panel(SLUG, "docs-pct-all", ctx_for(w.admin, FROM, TO, client=w.c1.pk))["series"][0]
    expected = defaultdict(list)
    for access_id, at, values in w.readings:
        if access_id in (w.a1.pk, w.a2.pk):
            left, limit = values["documents"]
            expected[at].append((limit - left) / limit * 100)
    hours = sorted(expected)
    assert one["y"] == [round(sum(expected[h]) / len(expected[h]), 2) for h in hours]


def test_monitored_counts_clients_and_accesses(november):
    w = november
    from .conftest import add_reading

    # a failed hour: ural has no reading at 2026-11-11 05:00 MSK; rom1 alone has one at 06:00
    for at, accs in ((datetime(2026, 11, 11, 5, tzinfo=MSK), (w.a1, w.a2)), (datetime(2026, 11, 11, 6, tzinfo=MSK), (w.a1,))):
        for a in accs:
            add_reading(w, a, at, documents=(100, 300))
    data = series_by_name(panel(SLUG, "monitored", ctx_for(w.admin, FROM, "2026-11-11T07:00")))
    clients, accesses = data["Total clients"]["y"], data["Online accesses"]["y"]
    assert clients[:240] == [2] * 240 and accesses[:240] == [3] * 240
    assert clients[240:] == [1, 1] and accesses[240:] == [2, 1]
    mine = series_by_name(panel(SLUG, "monitored", ctx_for(w.m2, FROM, TO)))
    assert set(mine["Online accesses"]["y"]) == {1}


def test_pages_and_panels_answer_by_role(november):
    w = november
    check_pages(SLUG, [w.admin, w.m2], [w.tech], {"from": FROM, "to": TO})
