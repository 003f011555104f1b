"""Over a year the fleet shows every sysinfo/status-based alert condition at least once (D §1.4)."""
from datetime import timedelta

import pytest

from smart.simulator.fleet.episodes import DB_ERRORS, ERR_2021, ERR_613, ERR_OS5

# Every code of D §2 with its aliases: generated DB errors must come from this catalogue.
CATALOGUE = {5, 6, 50, 665, 4111, 4112, 4113, 4116, 4117, 4118, 2007, 2008, 2010, 2020, 2021, 51, 600, 601, 603,
             610, 613, 615, 619, 669, 696, 792, 793, 794, 954, 955, 970, 4101, 2, 3, 53, 64, 67,
             4103, 4106, 4100, 4109, 4110, 4107}


def test_error_codes_come_from_the_catalogue():
    for group, code, alias, _message, *_rest in [*DB_ERRORS, ERR_2021, ERR_613, ERR_OS5]:
        assert group in ("regfile", "product", "volume", "operup", "os")
        assert code is None or code in CATALOGUE
        assert alias is None or alias in CATALOGUE


@pytest.fixture(scope="module")
def year_of_episodes(fleet):
    start = fleet.now - timedelta(days=365)
    return {i: fleet.episodes(i).overlapping(start, fleet.now) for i in range(fleet.size)}


def test_the_year_has_every_kind_of_episode(year_of_episodes):
    kinds = {e.kind for eps in year_of_episodes.values() for e in eps}
    assert kinds >= {"key_loss", "down", "long_maintenance", "db_error", "operup_stall", "disk_fill", "auth401",
                     "silent", "search_errors"}
    codes = {e.data["error"][1] for eps in year_of_episodes.values() for e in eps if e.kind == "db_error"}
    assert {2007, None} <= codes and codes & {53, 64, 67, 2, 3} and codes & {600, 601, 603, 610, 696}


def test_key_loss_shows_in_sysinfo(fleet, year_of_episodes):
    i, ep = next((i, e) for i, eps in year_of_episodes.items() for e in eps if e.kind == "key_loss")
    during = fleet.sysinfo_at(i, ep.start + (ep.end - ep.start) / 2)
    assert during.protection_key.status == "not_found" and not during.protection_key.working
    assert "41" in during.protection_key.message
    assert fleet.sysinfo_at(i, ep.end + timedelta(minutes=5)).protection_key.working


def test_db_error_episode_shows_on_its_volumes(fleet, year_of_episodes):
    i, ep = next((i, e) for i, eps in year_of_episodes.items() for e in eps
                 if e.kind == "db_error" and e.data["error"][1] == 2007)
    report = fleet.sysinfo_at(i, ep.start + timedelta(minutes=1))
    affected = {v.name for v in report.volumes if any(e.code == 2007 and e.alias == 4103 for e in v.errors)}
    assert affected == {v if isinstance(v, str) else v[0] for v in ep.data["volumes"]}


def test_stalled_operups_grow_older_than_three_days(fleet, year_of_episodes):
    i, ep = next((i, e) for i, eps in year_of_episodes.items() for e in eps
                 if e.kind == "operup_stall" and e.end - e.start > timedelta(days=4))
    t = ep.start + timedelta(days=4)
    report = fleet.sysinfo_at(i, t)
    assert any(t - f.modified_at > timedelta(days=3) for f in report.operup_files)
    normal = fleet.sysinfo_at(i, ep.end + timedelta(days=2))
    daily = [f for f in normal.operup_files if f.path.endswith(".ud6")]  # .udt thesauri come weekly
    assert daily and all(normal.header.generated_at - f.modified_at < timedelta(days=1, hours=1) for f in daily)


def test_seat_exhaustion_refusals_2008(fleet):
    refusals = []
    for i in range(fleet.size):
        act = fleet.activity(i)
        refusals += act.refusals_between(fleet.now - timedelta(days=120), fleet.now)
    assert any(code == 2008 for _at, _idx, code, _reason in refusals)
    assert any(reason == "auth" for _at, _idx, _code, reason in refusals)


def test_planted_episodes_at_now(fleet):
    kinds = {e.kind for i in range(fleet.size) for e in fleet.episodes(i).active(fleet.now)}
    assert {"operup_stall", "db_error"} <= kinds


def test_search_error_episode_marks_searches(fleet, year_of_episodes):
    hits = 0
    for i, eps in year_of_episodes.items():
        for ep in eps:
            if ep.kind == "search_errors":
                rows = fleet.activity(i).searches_between(ep.start, ep.end)
                hits += sum(1 for r in rows if r[8])
    assert hits > 0
