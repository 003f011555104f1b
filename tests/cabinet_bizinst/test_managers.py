"""For managers (B §A): each panel's figures against values worked out here from the raw inputs (data.py)."""
from datetime import date, datetime, timedelta

from .data import MSK, days, report_time, utc

ACTIVITY = ("db_requests", "documents_opened", "services", "link_follows", "saves", "prints", "searches",
            "kassist_requests")
ZAVOD = "Завод-A-Звезда: zavod-a.host-a.ru:443"


def by_name(data):
    return {s["name"]: list(zip(s["x"], s["y"])) for s in data["series"]}


def november(until=date(2026, 11, 20)):
    return [d for d in days() if d.month == 11 and d <= until]


def test_client_parameters(world, facts, make_ctx, panel):
    data = panel("managers", "client-params", make_ctx(world.a.dealer_admin))
    rows = {r["client"]: r for r in data["rows"]}
    assert len(rows) == 3  # dealer A's three installations, none of dealer B
    for k, inst in enumerate(world.a.installations.values()):
        u = facts[inst.pk]
        row = rows[inst.client.legal_name]
        activity = sum(u.inc[d][c] for d in november() for c in ACTIVITY)
        assert row["activity"] == activity
        assert row["involvement"] == round(100 * u.active_users[date(2026, 11, 20)] / (10 + k), 1)
        assert row["seats"] == 10 + k and row["regnum"] == f"REG-{inst.pk}"
        # nearest of licence (1 Dec) and reg-file (1 Mar) expiry, 11 days after 20 Nov: 1.6 weeks, yellow
        assert row["end_weeks"] == round(11 / 7, 1) and row["_cell_class"]["end_weeks"] == "warn"
    zavod = rows[world.a.branch_client.legal_name]
    assert zavod["manager"] == world.a.manager.full_name and zavod["address"] == "zavod-a.host-a.ru:443"


def test_client_parameters_colours_follow_the_bands(world, facts, make_ctx, panel):
    rows = panel("managers", "client-params", make_ctx(world.a.dealer_admin))["rows"]
    for row in rows:
        v = row["involvement"]
        expected = "bad" if v < 60 else "warn" if v < 80 else "ok" if v < 150 else "bad"
        assert row["_cell_class"]["involvement"] == expected


def test_client_parameters_for_one_domain(world, facts, make_ctx, panel):
    # LAW: ivanov (November: 5 DB requests, 40 + 100 free documents, 2 services, 3 prints, 4 kAssist) and sidorov
    # (no counters): activity excludes free documents; one active user of 10 seats
    data = panel("managers", "client-params", make_ctx(world.a.dealer_admin, domain="LAW"))
    row = next(r for r in data["rows"] if r["client"] == world.a.branch_client.legal_name)
    assert row["activity"] == 5 + 40 + 2 + 3 + 4
    assert row["involvement"] == 10.0


def test_empty_searches(world, facts, make_ctx, panel):
    data = panel("managers", "empty-searches", make_ctx(world.a.dealer_admin))
    got = [(r["time"], r["login"], r["query"], r["searchtype"]) for r in data["rows"]]
    assert got == [(utc(2026, 11, 6, 11), "petrov", "190-рп от 07.08.2022", "Атрибутный поиск"),
                   (utc(2026, 11, 5, 10), "ivanov", "гост 30245", "Интеллектуальный поиск")]
    law = panel("managers", "empty-searches", make_ctx(world.a.dealer_admin, domain="LAW"))
    assert [r["login"] for r in law["rows"]] == ["ivanov"]


def test_operup_age_is_a_sawtooth(world, facts, make_ctx, panel):
    data = panel("managers", "operup-age", make_ctx(world.a.dealer_admin))
    [(name, points)] = by_name(data).items()
    assert name == ZAVOD + r" C:\Kodeks\OperUp\30725DNK.ud6"
    assert points == [(utc(2026, 11, 3, 9), 9 * 3600), (utc(2026, 11, 6, 9), 9 * 3600 + 3 * 86400),
                      (utc(2026, 11, 7, 9), 9 * 3600)]
    assert {"from": 0, "to": 259200, "color": "#2e9d4f"} in data["bands"]


def test_activity_is_month_to_date_per_day(world, facts, make_ctx, panel):
    data = panel("managers", "activity", make_ctx(world.a.dealer_admin))
    inst = world.a.installations["zavod-a"]
    u, running, expected = facts[inst.pk], 0, []
    for d in november():
        running += sum(u.inc[d][c] for c in ACTIVITY)
        expected.append((datetime(d.year, d.month, d.day, tzinfo=MSK), running))
    assert by_name(data)[ZAVOD] == expected
    assert data["log"] is True  # A4: a logarithmic axis
    # red below 20, green above, up to just over the largest value (the axis is not stretched by the band)
    top = max(y for s in data["series"] for y in s["y"])
    assert data["bands"] == [{"from": 1, "to": 20, "color": "#d64545"},
                             {"from": 20, "to": top * 1.1, "color": "#2e9d4f"}]


def test_activity_resets_on_the_first_per_report(world, facts, make_ctx, panel):
    # six days: one point per report, the 1 November report holds that day's actions only
    data = panel("managers", "activity", make_ctx(world.a.dealer_admin, "2026-10-29", "2026-11-03"))
    u = facts[world.a.installations["zavod-a"].pk]
    oct_total = sum(u.inc[d][c] for d in days() if d.month == 10 and d <= date(2026, 10, 31) for c in ACTIVITY)
    points = dict(by_name(data)[ZAVOD])
    assert points[report_time(date(2026, 10, 31))] == oct_total
    assert points[report_time(date(2026, 11, 1))] == sum(u.inc[date(2026, 11, 1)][c] for c in ACTIVITY)


def test_involvement(world, facts, make_ctx, panel):
    data = panel("managers", "involvement", make_ctx(world.a.dealer_admin))
    u = facts[world.a.installations["zavod-a"].pk]
    assert by_name(data)[ZAVOD] == [(datetime(d.year, d.month, d.day, tzinfo=MSK), round(100 * u.active_users[d] / 10, 2))
                                    for d in november()]
    assert {"from": 80, "to": 150, "color": "#2e9d4f"} in data["bands"]


def test_max_seats_and_hourly_counters(world, facts, make_ctx, panel):
    u = facts[world.a.installations["zavod-a"].pk]
    ctx = make_ctx(world.a.dealer_admin)
    assert by_name(panel("managers", "max-seats", ctx))[ZAVOD] == [(report_time(d), u.seats_used[d]) for d in november()]
    assert by_name(panel("managers", "db-requests-hour", ctx))[ZAVOD] == [
        (report_time(d), u.inc[d]["db_requests"]) for d in november()]
    assert by_name(panel("managers", "saved-hour", ctx))[ZAVOD] == [(report_time(d), u.inc[d]["saves"]) for d in november()]


def test_per_user_month_series(world, facts, make_ctx, panel):
    ctx = make_ctx(world.a.dealer_admin, "2026-10-20", "2026-11-20T15:00")
    end = datetime(2026, 11, 20, 15, tzinfo=MSK)
    docs = by_name(panel("managers", "billing-docs", ctx))
    # October: 7 documents, held from the last change (30 Oct) to the month's end; November: 40 + 2 services
    assert docs[ZAVOD + " ivanov"] == [(utc(2026, 10, 30, 9), 7), (datetime(2026, 11, 1, tzinfo=MSK), 7),
                                       (utc(2026, 11, 19, 9), None), (utc(2026, 11, 19, 9), 42), (end, 42)]
    assert ZAVOD + " petrov" not in docs  # no documents: no series
    prints = by_name(panel("managers", "prints", ctx))
    assert prints[ZAVOD + " petrov"] == [(utc(2026, 11, 12, 9), 1), (end, 1)]
    kassist = by_name(panel("managers", "kassist-30d", ctx))
    assert kassist == {ZAVOD + " ivanov": [(utc(2026, 11, 19, 9), 4), (end, 4)]}


def test_refusals(world, facts, make_ctx, panel):
    ctx = make_ctx(world.a.dealer_admin)
    rows = panel("managers", "refusals-day", ctx)["rows"]
    # no free seats only (2008, 4106); days in Moscow: 20:30 UTC is still the 5th, 21:30 UTC is the 6th
    assert [(r["day"], r["login"], r["count"]) for r in rows] == [("2026-11-05", "petrov", 3), ("2026-11-06", "petrov", 1)]
    hourly = by_name(panel("managers", "refused-users-hour", ctx))[ZAVOD]
    assert hourly == [(datetime(2026, 11, 5, 13, tzinfo=MSK), 2), (datetime(2026, 11, 5, 23, tzinfo=MSK), 1),
                      (datetime(2026, 11, 6, 0, tzinfo=MSK), 1)]


def test_zero_queries_statistics(world, facts, make_ctx, panel):
    data = by_name(panel("managers", "zero-queries-30d", make_ctx(world.a.dealer_admin)))
    # November: rows of ivanov (5 DB requests) and petrov (none): 2 users in the month's statistics;
    # petrov, sidorov and the newcomer novikov made no DB request: 3 not using, round(100 × 3 / 2) = 150
    month = [(datetime(2026, 11, 1, tzinfo=MSK), None), (datetime(2026, 11, 20, 15, tzinfo=MSK), None)]
    assert data["Всего пользователей " + ZAVOD] == [(t, 2) for t, _ in month]
    assert data["не пользуются : " + ZAVOD] == [(t, 3) for t, _ in month]
    assert data["% не пользуются " + ZAVOD] == [(t, 150) for t, _ in month]


def test_zero_queries_in_60_days(world, facts, make_ctx, panel):
    data = by_name(panel("managers", "zero-queries-60d", make_ctx(world.a.dealer_admin)))
    start, end = datetime(2026, 11, 1, tzinfo=MSK), datetime(2026, 11, 20, 15, tzinfo=MSK)
    # sidorov: seen since 10 January, never active; petrov: last login 2 Nov, no DB requests before
    assert data[ZAVOD + " sidorov"] == [(start, 0), (end, 0)]
    assert data[ZAVOD + " petrov"] == [(start, 0), (utc(2026, 11, 2), 0)]
    # ivanov: DB requests in October (row of 30 Oct): active; novikov: first seen 10 Nov
    assert ZAVOD + " ivanov" not in data and ZAVOD + " novikov" not in data


def test_filled_cards(world, facts, make_ctx, panel):
    data = panel("managers", "filled-cards", make_ctx(world.a.dealer_admin))
    # petrov (card not filled) logged in on 2 Nov, ivanov (filled) first on 4 Nov; sidorov never logged in
    assert by_name(data)[ZAVOD] == [(utc(2026, 11, 2), 0.0), (utc(2026, 11, 4), 50.0),
                                    (datetime(2026, 11, 20, 15, tzinfo=MSK), 50.0)]
    assert len(data["bands"]) == 8

