"""`.status` files: what smartstatus writes, parsed by smart.formats, in every documented variant."""
from datetime import timedelta

import pytest

from smart.formats import ParseFailure, parse_report
from smart.simulator.fleet import METRIC_NAMES
from smart.simulator.fleet.installation import SYSMON_SINCE

from .conftest import find, local

KNOWN = ("kserver_main_page", "kserver_product_control")


def _parse(fleet, i, t):
    return parse_report(fleet.status_at(i, t), time_zone=fleet.installation(i).zone_name,
                        received_at=t + timedelta(minutes=3))


def _quiet_instant(fleet, i):
    """A weekday afternoon without any episode."""
    t = local(fleet, i, 2025, 11, 12, 14, 7)
    while fleet.episodes(i).active(t):
        t += timedelta(days=1)
    return t


def _sysmon(inst, t):
    return tuple(int(x) for x in inst.version_at(t).split(".")) >= SYSMON_SINCE


@pytest.mark.parametrize("i", range(0, 30, 4))
def test_status_parses_with_the_known_series(fleet, i):
    t = _quiet_instant(fleet, i)
    parsed = _parse(fleet, i, t)
    assert parsed.kind == "status"
    status = parsed.status
    for name in KNOWN:
        assert status.samples(name), name
    assert status.value("kserver_main_page", service="kodweb", path="/docs") == 0
    assert {s.labels["status"] for s in status.samples("kserver_product_control")} <= {
        "ok", "maintenance", "key_not_found", "db_errors", "licence_expired"}
    names = {s.name for fam in status.families for s in fam.samples}
    assert names <= set(METRIC_NAMES)


def test_rich_set_and_lowercase_date_on_sysmon_versions(fleet):
    i = find(fleet, lambda inst: _sysmon(inst, fleet.now - timedelta(days=80)))
    t = _quiet_instant(fleet, i)
    data = fleet.status_at(i, t)
    assert data.startswith(b"date: ")
    status = _parse(fleet, i, t).status
    assert status.time_source == "date_header"
    assert abs(status.observed_at - t) <= timedelta(minutes=10)  # a few servers' clocks are off (ClockSkew)
    assert status.value("kserver_up") == 1
    assert status.value("kserver_seats_total") == fleet.sysinfo_at(i, t).regfile.seats
    assert status.value("kserver_seats_used") == len(fleet.sysinfo_at(i, t).sessions)
    assert status.value("kserver_key_present") in (0, 1)
    assert status.samples("kserver_disk_free_bytes") and status.samples("kserver_operup_age_seconds")
    assert status.samples("kserver_login_denied_total") and status.samples("kserver_searches_total")


def test_old_versions_send_only_the_known_series_and_windows_loses_the_date(fleet):
    old = [i for i in range(fleet.size) if not _sysmon(fleet.installation(i), fleet.now - timedelta(days=300))]
    assert old
    for i in old:
        t = _quiet_instant(fleet, i)
        if _sysmon(fleet.installation(i), t):
            continue
        data = fleet.status_at(i, t)
        status = _parse(fleet, i, t).status
        assert {s.name for fam in status.families for s in fam.samples} <= set(KNOWN)
        if fleet.installation(i).os == "windows":
            assert status.time_source == "received_at" and not data.lower().startswith(b"date:")
        else:
            assert data.startswith(b"Date: ")


def _episode(fleet, kind, days=365):
    for i in range(fleet.size):
        for ep in fleet.episodes(i).overlapping(fleet.now - timedelta(days=days), fleet.now, kind):
            if fleet.installation(i).has_sysmon(ep.start) and fleet.installation(i).status_enabled:
                return i, ep
    raise LookupError(kind)


def test_server_down_is_reported_as_up_0_without_a_date(fleet):
    i, ep = _episode(fleet, "down")
    data = fleet.status_at(i, ep.start + (ep.end - ep.start) / 2)
    assert b"date" not in data.lower()
    status = parse_report(data, time_zone="Europe/Moscow", received_at=ep.start).status
    assert status.value("kserver_up") == 0


def test_lost_smartlogin_rights_upload_a_401_page(fleet):
    i, ep = _episode(fleet, "auth401")
    with pytest.raises(ParseFailure) as failure:
        _parse(fleet, i, ep.start + timedelta(hours=1))
    assert failure.value.status == "error_page" and failure.value.http_status == 401


def test_nightly_maintenance_shows_in_metrics_or_as_a_503_page(fleet):
    i = find(fleet, lambda inst: inst.maintenance and inst.status_enabled and inst.has_sysmon(fleet.now))
    begin, length = fleet.installation(i).maintenance
    seen = set()
    for day in range(1, 29):
        t = local(fleet, i, 2026, 1, day, 0, 0) + timedelta(seconds=begin + length // 2)
        if fleet.episodes(i).active(t, "down") or fleet.episodes(i).active(t, "auth401"):
            continue
        try:
            status = _parse(fleet, i, t).status
        except ParseFailure as failure:
            assert failure.status == "error_page" and failure.http_status == 503
            seen.add(503)
        else:
            assert status.value("kserver_maintenance") == 1
            assert status.value("kserver_main_page", path="/docs") == 1
            seen.add("metrics")
    assert seen == {503, "metrics"}


def test_disk_fill_goes_below_10_gb(fleet):
    i, ep = _episode(fleet, "disk_fill", days=730)
    status = _parse(fleet, i, ep.end - timedelta(minutes=20)).status
    data_path = status.samples("kserver_disk_free_bytes")[1]
    assert data_path.value < 10 * 1024**3


def test_key_loss_in_status(fleet):
    checked = 0
    for i in range(fleet.size):
        inst = fleet.installation(i)
        for ep in fleet.episodes(i).overlapping(fleet.now - timedelta(days=365), fleet.now, "key_loss"):
            t = ep.start + timedelta(minutes=10)
            if not (inst.status_enabled and inst.has_sysmon(t)) or len(fleet.episodes(i).active(t)) > 1:
                continue
            try:
                status = _parse(fleet, i, t).status
            except ParseFailure:
                continue  # a 503 page in the maintenance window
            if status.value("kserver_maintenance"):
                continue
            assert status.value("kserver_key_present") == 0
            assert status.samples("kserver_product_control")[0].labels["status"] == "key_not_found"
            checked += 1
    assert checked
