"""Licences: some expire within 2/7/30 days of `now`, renewals move the date, lapses show error 2021."""
from datetime import timedelta

from .conftest import find


def _days_left(fleet, i, t):
    report = fleet.sysinfo_at(i, t)
    local_day = t.astimezone(fleet.installation(i).zone).date()
    return (report.regfile.expires_on - local_day).days, report


def test_planted_expiries_around_now(fleet):
    left = sorted(_days_left(fleet, i, fleet.now)[0] for i in range(fleet.size))
    assert any(0 < d <= 2 for d in left)
    assert any(2 < d <= 7 for d in left)
    assert any(7 < d <= 30 for d in left)
    assert any(d < 0 for d in left)  # a late renewal: the licence has lapsed


def test_lapsed_licence_shows_error_2021_then_renewal_moves_the_date(fleet):
    i = next(i for i in range(fleet.size) if _days_left(fleet, i, fleet.now)[0] < 0)
    _left, report = _days_left(fleet, i, fleet.now)
    codes = {(e.code, e.alias) for v in report.volumes for e in v.errors}
    assert (2021, 4110) in codes
    later = fleet.sysinfo_at(i, fleet.now + timedelta(days=10))
    assert later.regfile.expires_on > report.regfile.expires_on + timedelta(days=300)
    assert all(e.code != 2021 for v in later.volumes for e in v.errors)


def test_every_installation_renews_yearly(fleet):
    """Renewals come 40 days early to 30 days late: any 460 days hold one."""
    for i in range(fleet.size):
        inst = fleet.installation(i)
        ends = {inst.expiry_at(fleet.now + timedelta(days=60 - 10 * k)) for k in range(47)}
        assert len(ends) >= 2


def test_licences_carry_products_and_one_block_lacks_a_date(fleet):
    report = fleet.sysinfo_at(0, fleet.now)
    assert report.licences and all(lic.product and lic.expires_on for lic in report.licences)
    i = find(fleet, lambda inst: inst.licence_unfilled)
    assert any(lic.expires_on is None for lic in fleet.sysinfo_at(i, fleet.now).licences)


def test_seats_change_at_some_renewals(fleet):
    changed = 0
    for i in range(fleet.size):
        inst = fleet.installation(i)
        changed += inst.seats_at(fleet.now - timedelta(days=390)) != inst.seats_at(fleet.now + timedelta(days=400))
    assert changed >= 2
