"""Month-to-date counters: monotonic in a month, reset at local midnight of the 1st, exact increments."""
from datetime import timedelta

from smart.formats import parse_report
from smart.simulator.fleet.activity import N_FIELDS

from .conftest import find, hours, local

FIELDS = ("db_requests", "kassist_requests", "documents_opened", "documents_free", "services", "link_follows",
          "saves", "prints", "searches", "searches_intelligent", "searches_attribute")


def _totals(report) -> dict:
    return {c.login: tuple(getattr(c, f) for f in FIELDS) for c in report.counters}


def _busy(fleet):
    return find(fleet, lambda inst: inst.profile == "active" and inst.zone_name != "Europe/Moscow")


def test_counters_are_monotonic_within_a_month(fleet):
    i = _busy(fleet)
    previous = {}
    for t in hours(local(fleet, i, 2025, 10, 1, 0, 30), 8 * 31, timedelta(hours=3)):
        report = fleet.sysinfo_at(i, t)
        assert report.counter_period.starts_on.month == 10
        current = _totals(report)
        for login, values in previous.items():
            assert login in current and all(a <= b for a, b in zip(values, current[login])), (t, login)
        previous = current
    assert sum(v[0] for v in previous.values()) > 100


def test_counters_reset_at_local_midnight_of_the_first(fleet):
    i = _busy(fleet)
    midnight = local(fleet, i, 2025, 11, 1, 0, 0)
    assert midnight.day == 31  # east of UTC: the local month starts while UTC is still in October
    before = fleet.sysinfo_at(i, midnight - timedelta(seconds=1))
    after = fleet.sysinfo_at(i, midnight)
    assert sum(c.db_requests for c in before.counters) > 100
    assert before.counter_period.starts_on.isoformat() == "2025-10-01"
    assert after.counters == () and after.counter_period.starts_on.isoformat() == "2025-11-01"
    still_october_in_utc = fleet.sysinfo_at(i, midnight + timedelta(minutes=59))
    assert still_october_in_utc.counter_period.starts_on.isoformat() == "2025-11-01"


def test_hourly_increments_sum_to_the_month_total(fleet):
    """Parsed hourly reports: increments are >= 0 and add up to the last report's totals."""
    i = _busy(fleet)
    zone = fleet.installation(i).zone_name
    start = local(fleet, i, 2025, 11, 1, 0, 0)
    sums, last = {}, {}
    for t in hours(start, 24 * 3):
        parsed = parse_report(fleet.sysinfo_zip(i, t), time_zone=zone, received_at=t).sysinfo
        current = _totals(parsed)
        for login, values in current.items():
            before = last.get(login, (0,) * len(FIELDS))
            delta = [b - a for a, b in zip(before, values)]
            assert min(delta) >= 0
            sums[login] = [s + d for s, d in zip(sums.get(login, [0] * len(FIELDS)), delta)]
        last = current
    assert {k: tuple(v) for k, v in sums.items()} == last and last


def test_counter_equals_the_sum_of_simulated_activity(fleet):
    """The value at t is the sum of every day's (and today's partial) activity since the 1st."""
    i = _busy(fleet)
    act = fleet.activity(i)
    t = local(fleet, i, 2025, 11, 17, 14, 25)
    period, counts = act.counters_at(t)
    expected = {}
    day = period
    while day <= t.astimezone(fleet.installation(i).zone).date():
        sec = 86400 if day < t.astimezone(fleet.installation(i).zone).date() else act.split(t)[1]
        for idx, ud in act.day(day).users.items():
            row = expected.setdefault(idx, [0] * N_FIELDS)
            for k, v in enumerate(ud.values_at(sec)):
                row[k] += v
        day += timedelta(days=1)
    assert counts == {k: v for k, v in expected.items() if any(v)}


def test_searches_counter_matches_the_search_log(fleet):
    i = _busy(fleet)
    t = local(fleet, i, 2025, 11, 3, 23, 0)
    day_start = local(fleet, i, 2025, 11, 1, 0, 0)
    report = fleet.sysinfo_at(i, t, window=t - day_start)
    per_user = {}
    for s in report.searches:
        per_user[s.login] = per_user.get(s.login, 0) + 1
    assert per_user == {c.login: c.searches for c in report.counters if c.searches}
    for c in report.counters:
        assert c.searches == c.searches_intelligent + c.searches_attribute


def test_involvement_and_activity_are_plausible(fleet):
    """Active installations reach a real involvement; zero-use ones stay near nothing."""
    for i in range(fleet.size):
        inst = fleet.installation(i)
        report = fleet.sysinfo_at(i, local(fleet, i, 2025, 11, 28, 18, 0))
        users = sum(1 for c in report.counters if c.db_requests)
        involvement = 100 * users / report.regfile.seats
        activity = sum(c.activity for c in report.counters)
        if inst.profile == "active":
            assert involvement >= 30 and activity >= 200, inst.name
        if inst.profile == "zero":
            assert activity < 100, inst.name
