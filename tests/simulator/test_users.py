"""Accounts: last logins are consistent with sessions and limited to the server's log depth."""
from datetime import timedelta

from smart.simulator.fleet.activity import LAST_LOGIN_DAYS

from .conftest import find, local


def test_last_login_is_the_latest_session_start(fleet):
    i = find(fleet, lambda inst: inst.profile == "active")
    t = local(fleet, i, 2025, 11, 12, 15, 0)
    report = fleet.sysinfo_at(i, t)
    latest = {}
    for s in report.sessions:
        latest[s.login] = max(latest.get(s.login, s.started_at), s.started_at)
    users = {u.login: u for u in report.users}
    for login, started in latest.items():
        assert users[login].last_login_at >= started
    assert all(u.last_login_at is None or u.last_login_at <= t for u in report.users)


def test_leavers_stop_logging_in(fleet):
    i = find(fleet, lambda inst: inst.profile == "active" and len(inst.users) > 40)
    t = fleet.now
    report = fleet.sysinfo_at(i, t)
    inst = fleet.installation(i)
    by_login = {u.login: u for u in inst.users}
    for u in report.users:
        spec = by_login[u.login]
        if spec.leaves_on and spec.leaves_on < t.date() - timedelta(days=2):
            assert u.last_login_at is None or u.last_login_at.date() <= spec.leaves_on
    oldest = t - timedelta(days=LAST_LOGIN_DAYS + 1)
    assert all(u.last_login_at is None or u.last_login_at >= oldest for u in report.users)


def test_some_accounts_idle_for_sixty_days(fleet):
    idle = 0
    for i in range(fleet.size):
        report = fleet.sysinfo_at(i, fleet.now)
        idle += sum(1 for u in report.users if u.last_login_at is None
                    or fleet.now - u.last_login_at > timedelta(days=60))
    assert idle > 0
