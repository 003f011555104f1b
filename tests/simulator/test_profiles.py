"""Behaviour profiles: seasonal clients come and go with their season; zero-use clients stay idle."""
from datetime import timedelta

from .conftest import find, local


def _month_activity(fleet, i, year, month) -> int:
    end = local(fleet, i, year, month, 28, 20, 0)
    return sum(c.activity for c in fleet.sysinfo_at(i, end).counters)


def test_seasonal_client_is_busy_in_season_only(fleet):
    i = find(fleet, lambda inst: inst.profile == "seasonal" and len(inst.users) >= 8)
    season = sorted(fleet.installation(i).season)
    off = [m for m in range(1, 13) if m not in season]
    in_season = sum(_month_activity(fleet, i, 2025, m) for m in season[:2])
    off_season = sum(_month_activity(fleet, i, 2025, m) for m in off[:2])
    assert in_season > 5 * max(1, off_season)


def test_zero_use_client_is_nearly_idle(fleet):
    i = find(fleet, lambda inst: inst.profile == "zero")
    assert sum(_month_activity(fleet, i, 2025, m) for m in (3, 4, 5)) < 200


def test_every_profile_is_present(fleet):
    assert {fleet.installation(i).profile for i in range(fleet.size)} == {"active", "low", "seasonal", "zero"}


def test_users_join_and_leave(fleet):
    i = find(fleet, lambda inst: inst.profile == "active" and len(inst.users) > 40)
    inst = fleet.installation(i)
    a, b = fleet.now - timedelta(days=380), fleet.now
    before = {u.login for u in fleet.sysinfo_at(i, a).users}
    after = {u.login for u in fleet.sysinfo_at(i, b).users}
    assert after - before and before - after  # new accounts appeared, old ones were removed
    leavers = [u for u in inst.users if u.leaves_on and a.date() < u.leaves_on < b.date()]
    assert leavers


def test_user_cards_are_partly_filled_and_some_have_a_domain(fleet):
    cards, filled, domains = 0, 0, 0
    for i in range(fleet.size):
        for u in fleet.sysinfo_at(i, fleet.now).users:
            cards += 1
            filled += all((u.full_name, u.phone, u.email, u.position, u.department))
            domains += u.domain is not None
    assert 0.2 * cards < filled < 0.95 * cards
    assert 0 < domains < cards
