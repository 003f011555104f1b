"""Back-fill: schedules, thinning, what the scripts upload while things go wrong."""
from datetime import timedelta

from smart.simulator.fleet import SYSINFO_TIERS, Fleet

from .conftest import SEED, START, local


def test_history_is_time_ordered_and_named_like_the_uploads(small):
    end = local(small, 0, 2025, 11, 13, 0, 0)
    items = list(small.history(0, end - timedelta(days=1), end))
    assert [t for t, *_ in items] == sorted(t for t, *_ in items)
    kinds = {kind for _t, kind, _n, _d in items}
    assert kinds <= {"sysinfo", "status"} and "sysinfo" in kinds
    name = small.name(0)
    assert {n for _t, _k, n, _d in items} <= {f"{name}.zip", f"{name}.status"}
    sysinfo = [t for t, kind, *_ in items if kind == "sysinfo"]
    assert 20 <= len(sysinfo) <= 24
    assert len({t.minute for t in sysinfo}) == 1  # smartupload runs at the installation's own minute


def test_hourly_reports_cover_every_search(small):
    i = 0
    start = local(small, i, 2025, 11, 12, 0, 0)
    end = start + timedelta(days=1)
    seen = set()
    for t, kind, _name, _data in small.history(i, start, end, status_every=None):
        seen |= {(s.at, s.login, s.text) for s in small.sysinfo_at(i, t).searches}
    expected = {(row[0], small.installation(i).users[row[1]].login, row[2])
                for row in small.activity(i).searches_between(start, end - timedelta(minutes=60))}
    assert expected and expected <= seen


def test_thin_history_tiers(small):
    end = small.now
    schedule = small.thin_schedule(1, end - timedelta(days=396), end, SYSINFO_TIERS)
    last_week = [t for t in schedule if t >= end - timedelta(days=7)]
    middle = [t for t in schedule if end - timedelta(days=35) <= t < end - timedelta(days=7)]
    old = [t for t in schedule if t < end - timedelta(days=35)]
    assert 166 <= len(last_week) <= 169 and 110 <= len(middle) <= 113 and 358 <= len(old) <= 362
    zone = small.installation(1).zone
    assert {t.astimezone(zone).hour for t in old} == {23}


def test_silent_agent_uploads_nothing():
    fleet = Fleet(seed=SEED, installations=30, start=START)
    for i in range(fleet.size):
        eps = fleet.episodes(i).overlapping(fleet.now - timedelta(days=365), fleet.now, "silent")
        if eps:
            ep = eps[0]
            items = list(fleet.history(i, ep.start, ep.end))
            assert items == []
            return
    raise AssertionError("no silent episode in a year")


def test_failed_fetch_reuploads_the_previous_file_at_some_installations():
    fleet = Fleet(seed=SEED, installations=150, start=START)
    for i in range(fleet.size):
        if not fleet.installation(i).stale_reupload:
            continue
        for ep in fleet.episodes(i).overlapping(fleet.now - timedelta(days=365), fleet.now, "down"):
            if ep.end - ep.start < timedelta(hours=1) or fleet.episodes(i).active(ep.start, "silent"):
                continue
            items = [x for x in fleet.history(i, ep.start - timedelta(hours=3), ep.end, status_every=None)]
            before = [d for t, _k, _n, d in items if t < ep.start]
            during = [d for t, _k, _n, d in items if t >= ep.start]
            if before and during and before[-1].startswith(b"PK"):
                assert during[0] == before[-1]
                return
    raise AssertionError("no stale re-upload found")


def test_maintenance_sometimes_yields_the_503_page_as_sysinfo(fleet):
    pages = 0
    for i in range(fleet.size):
        inst = fleet.installation(i)
        if not inst.maintenance:
            continue
        begin, length = inst.maintenance
        for day in range(1, 28):
            t = local(fleet, i, 2025, 10, day, 0, 0) + timedelta(seconds=begin + length // 2)
            data = fleet.sysinfo_upload(i, t)
            pages += data is not None and data.startswith(b"<html>")
    assert pages > 0


def test_steps_may_be_given_in_seconds(small):
    end = local(small, 0, 2025, 11, 13, 0, 0)
    as_delta = list(small.history(0, end - timedelta(hours=6), end, timedelta(hours=1), timedelta(minutes=15)))
    as_seconds = list(small.history(0, end - timedelta(hours=6), end, 3600, 900))
    assert as_delta == as_seconds and as_delta
