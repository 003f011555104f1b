"""Kodeks analytics (A §3): each panel against values worked out from the raw daily inputs (data.py)."""
from datetime import date, datetime, timedelta

from .data import MSK, days, report_time, search, utc
from .test_managers import ZAVOD, by_name

RANGE = ("2026-10-20", "2026-11-20T15:00")  # a month: one point per day for the month-to-date panels


def local(d):
    return datetime(d.year, d.month, d.day, tzinfo=MSK)


def mtd(u, counters):
    """Month-to-date per day from the daily increments, restarting on the 1st."""
    out, running, month = [], 0, None
    for d in days():
        if month != d.month:
            month, running = d.month, 0
        running += sum(u.inc[d][c] for c in counters)
        out.append((local(d), running))
    return out


def test_month_to_date_counters(world, facts, make_ctx, panel):
    ctx = make_ctx(world.a.dealer_admin, *RANGE)
    u = facts[world.a.installations["zavod-a"].pk]
    for key, counters in [("db-requests", ["db_requests"]), ("counted-documents", ["documents_opened"]),
                          ("saved-documents", ["saves"]), ("printed-documents", ["prints"]),
                          ("doc-or-service", ["searches", "documents_opened", "documents_free", "services"])]:
        assert by_name(panel("kodeks-analytics", key, ctx))[ZAVOD] == mtd(u, counters), key


def test_licences_used_free_and_total(world, facts, make_ctx, panel):
    ctx = make_ctx(world.a.dealer_admin, *RANGE)
    u = facts[world.a.installations["zavod-a"].pk]
    assert by_name(panel("kodeks-analytics", "used-licences", ctx))[ZAVOD] == [
        (report_time(d), u.seats_used[d]) for d in days()]
    assert by_name(panel("kodeks-analytics", "free-licences", ctx))[ZAVOD] == [
        (report_time(d), 10 - u.seats_used[d]) for d in days()]
    assert by_name(panel("kodeks-analytics", "licences", ctx))[ZAVOD] == [(report_time(d), 10) for d in days()]


def test_free_licences_per_day_on_long_ranges(world, facts, make_ctx, panel):
    ctx = make_ctx(world.a.dealer_admin, "2026-08-01", "2026-11-20T15:00")  # 111 days: daily rollups
    u = facts[world.a.installations["zavod-a"].pk]
    assert by_name(panel("kodeks-analytics", "free-licences", ctx))[ZAVOD] == [
        (local(d), 10 - u.seats_used[d]) for d in days()]


def test_failed_searches_per_day(world, facts, make_ctx, panel):
    # the fixture's empty searches: petrov 25 Oct 15:00, ivanov 5 Nov 13:00, petrov 6 Nov 14:00 (Moscow);
    # another search (7 Nov) found 12 documents
    data = by_name(panel("kodeks-analytics", "failed-searches", make_ctx(world.a.dealer_admin, *RANGE)))
    assert data == {ZAVOD: [(local(date(2026, 10, 25)), 1), (local(date(2026, 11, 5)), 1), (local(date(2026, 11, 6)), 1)]}
    # one domain: only its users' search log (ivanov's one empty search on the 5th)
    law = by_name(panel("kodeks-analytics", "failed-searches", make_ctx(world.a.dealer_admin, *RANGE, domain="LAW")))
    assert law == {ZAVOD: [(local(date(2026, 11, 5)), 1)]}


def test_kassist_is_a_rolling_30_day_sum(world, facts, make_ctx, panel):
    ctx = make_ctx(world.a.dealer_admin, "2026-11-01", "2026-11-20T15:00")
    u = facts[world.a.installations["zavod-a"].pk]
    expected = []
    for d in (date(2026, 11, 1) + timedelta(days=i) for i in range(20)):
        window = sum(u.inc[x]["kassist_requests"] for x in days() if d - timedelta(days=30) < x <= d)
        expected.append((local(d), window))
    assert by_name(panel("kodeks-analytics", "kassist-month", ctx))[ZAVOD] == expected


def test_not_using_for_60_days(world, facts, make_ctx, panel):
    data = by_name(panel("kodeks-analytics", "not-using-60d", make_ctx(world.a.dealer_admin, "2026-11-01",
                                                                       "2026-11-20T15:00")))
    # from the 1st: sidorov (never active since January), petrov (seen since January, no DB request) until his
    # login of 2 Nov; ivanov was active on 30 Oct; novikov is new
    assert data[ZAVOD] == [(local(date(2026, 11, 1)), 2), (utc(2026, 11, 2), 1),
                           (datetime(2026, 11, 20, 15, tzinfo=MSK), 1)]


def test_failed_searches_skip_searches_with_results(world, facts, make_ctx, panel):
    inst = world.a.installations["zavod-a"]
    search(inst, utc(2026, 11, 8, 10), "ivanov", "найдено", 3)
    law = by_name(panel("kodeks-analytics", "failed-searches", make_ctx(world.a.dealer_admin, *RANGE, domain="LAW")))
    assert law[ZAVOD] == [(local(date(2026, 11, 5)), 1)]
