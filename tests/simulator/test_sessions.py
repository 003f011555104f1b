"""Occupied seats follow the working day: nothing at night or on holidays, a peak mid-morning."""
from .conftest import local


def _sessions(fleet, *when) -> int:
    """Occupied seats over the fleet at a local wall-clock time (what sysinfo's sessions list shows)."""
    return sum(len(fleet.activity(i).sessions_at(local(fleet, i, *when))) for i in range(fleet.size))


def test_nobody_works_at_night(fleet):
    assert _sessions(fleet, 2025, 11, 12, 3, 0) == 0
    assert _sessions(fleet, 2025, 11, 12, 23, 30) <= 2


def test_weekday_morning_is_busy(fleet):
    busy = _sessions(fleet, 2025, 11, 12, 11, 0)  # a Wednesday
    active = [fleet.installation(i) for i in range(fleet.size) if fleet.installation(i).profile == "active"]
    seats = sum(inst.seats_at(fleet.now) for inst in active)
    assert busy >= 0.25 * seats


def test_public_holidays_are_near_zero(fleet):
    weekday = _sessions(fleet, 2025, 11, 12, 11, 0)
    for when in ((2026, 1, 1, 11, 0), (2025, 5, 9, 11, 0), (2026, 1, 5, 11, 0), (2025, 6, 12, 12, 0)):
        assert _sessions(fleet, *when) <= max(3, 0.05 * weekday), when


def test_weekend_is_quiet(fleet):
    assert _sessions(fleet, 2025, 11, 15, 11, 0) <= 0.1 * _sessions(fleet, 2025, 11, 12, 11, 0)


def test_lunch_dip(fleet):
    mornings = sum(_sessions(fleet, 2025, 11, d, 11, 0) for d in (11, 12, 13))
    lunches = sum(_sessions(fleet, 2025, 11, d, 13, 0) for d in (11, 12, 13))
    assert lunches < mornings


def test_month_end_peak(fleet):
    """The last working days of a month carry more logins than the middle of it."""
    def day_total(day):
        return sum(len(fleet.activity(i).day(day).users) for i in range(fleet.size))

    from datetime import date
    ends = sum(day_total(date(2025, m, d)) for m, d in ((9, 29), (9, 30), (10, 30), (10, 31), (11, 27), (11, 28)))
    middles = sum(day_total(date(2025, m, d)) for m, d in ((9, 16), (9, 17), (10, 15), (10, 16), (11, 12), (11, 13)))
    assert ends > 1.1 * middles


def test_sessions_are_consistent_with_the_report(fleet):
    t = local(fleet, 0, 2025, 11, 12, 11, 0)
    report = fleet.sysinfo_at(0, t)
    assert report.seat_usage.used == len(report.sessions)
    logins = {u.login: u for u in report.users}
    for s in report.sessions:
        assert s.started_at <= t and s.login in logins
        assert logins[s.login].last_login_at >= s.started_at


def test_seats_run_out_at_tight_installations(fleet):
    """KodeksLimitsUsers: every seat taken at some instant of a busy month-end day."""
    from datetime import date, timedelta

    full = 0
    for i in range(fleet.size):
        act = fleet.activity(i)
        for day in (date(2025, 10, 30), date(2025, 10, 31), date(2025, 11, 27), date(2025, 11, 28)):
            seats = fleet.installation(i).seats_at(act.midnight(day))
            t = act.midnight(day) + timedelta(hours=8)
            while t < act.midnight(day) + timedelta(hours=18):
                if len(act.sessions_at(t)) >= seats:
                    full += 1
                    break
                t += timedelta(minutes=20)
    assert full > 0


def test_a_shared_login_is_seen_from_two_addresses(fleet):
    """KodeksSharedLogin: one login, two client IPs on the same day."""
    from datetime import date

    for i in range(fleet.size):
        for ud in fleet.activity(i).day(date(2025, 11, 12)).users.values():
            if len({ip for _s, _e, ip in ud.sessions}) > 1:
                return
    raise AssertionError("no shared login on a working day")
