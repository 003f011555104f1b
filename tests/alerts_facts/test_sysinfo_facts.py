"""state_compare, licence_horizon, licence_undated, operup_age, clock_skew, registry_flag: sysinfo reports
through ingest and the pipeline → the on-fact hook → alerts."""
from datetime import date, datetime, timedelta, timezone

import pytest

from smart.alerts.conditions.reports import registry_flag
from smart.alerts.conditions.scope import Scope
from smart.alerts.engine import evaluate
from smart.formats.model import Licence
from smart.ingest import service

from .build import now, report, status_file

pytestmark = pytest.mark.django_db
UTC = timezone.utc
H = timedelta(hours=1)
KEY_RULES = ("KodeksXmlSensLockStatus", "KodeksOfflineSensLockCheck")


def test_a_lost_key_fires_and_a_newer_report_resolves(deliver, roga, alert, state):
    t0 = now() - 5 * H
    deliver(report(t0, key="not_found"))
    found = alert("KodeksXmlSensLockStatus", f"i{roga.id}")
    assert found.state == "firing" and found.fired_at == t0
    assert found.detail == f"ROGA: key state is not_found (not_in ['ok']) in the sysinfo of {t0:%d.%m.%Y %H:%M} UTC"
    assert state("KodeksOfflineSensLockCheck", f"i{roga.id}") == "firing"
    deliver(report(t0 + H, key="ok"))
    assert [state(rule, f"i{roga.id}") for rule in KEY_RULES] == ["resolved", "resolved"]


def test_a_missing_key_block_is_not_working_but_not_a_lost_key(deliver, roga, alert, state):
    deliver(report(now() - H, key=None))
    found = alert("KodeksXmlSensLockStatus", f"i{roga.id}")
    assert found.state == "firing" and "key state is missing" in found.detail
    assert state("KodeksOfflineSensLockCheck", f"i{roga.id}") is None


def test_an_older_report_arriving_late_flips_nothing(deliver, roga, state):
    t0 = now() - 5 * H
    deliver(report(t0 + 2 * H, key="not_found"))
    deliver(report(t0, key="ok"))  # a backlog's older report: fills history only
    assert [state(rule, f"i{roga.id}") for rule in KEY_RULES] == ["firing", "firing"]
    deliver(report(t0 + 3 * H, key="ok"))
    deliver(report(t0 + H, key="not_found"))
    assert [state(rule, f"i{roga.id}") for rule in KEY_RULES] == ["resolved", "resolved"]


def test_a_sysinfo_older_than_two_hours_no_longer_says_the_key_is_lost(deliver, roga, state):
    t0 = now() - 5 * H
    deliver(report(t0, key="not_found"))
    deliver(status_file(t0 + 3 * H, key_present=1), "ROGA.status")  # re-evaluates the SS rules at its time
    assert state("KodeksOfflineSensLockCheck", f"i{roga.id}") == "resolved"
    assert state("KodeksXmlSensLockStatus", f"i{roga.id}") == "firing"  # sysinfo only: a status file says nothing
    deliver(status_file(t0 + 4 * H, key_present=0), "ROGA.status")
    assert state("KodeksOfflineSensLockCheck", f"i{roga.id}") == "firing"


def _licences(at, **days_left):
    return tuple(Licence(product=name, expires_on=(at + timedelta(days=days)).date(), seats=10)
                 for name, days in days_left.items())


def test_licence_horizons_fire_per_licence_and_the_nearest_holds_back_the_farther(deliver, roga, alert, state):
    t0 = now() - H
    deliver(report(t0, licences=_licences(t0, Near=1, Week=5, Quarter=30, Far=400)))
    near = alert("KodeksLicenseExpiring2day", f"i{roga.id}|licence:Near")
    assert near.state == "firing" and near.labels["product"] == "Near"
    assert f"licence «Near» expires on {(t0 + timedelta(days=1)).date():%d.%m.%Y}" in near.detail
    week = alert("KodeksLicenseExpiring7day", f"i{roga.id}|licence:Week")
    assert week.state == "pending" and week.inhibited_by == "KodeksLicenseExpiring2day"
    assert state("KodeksLicenseExpiring90day", f"i{roga.id}|licence:Quarter") == "pending"
    assert state("KodeksLicenseExpiring90day", f"i{roga.id}|licence:Far") is None
    deliver(report(t0 + timedelta(minutes=30), licences=_licences(t0, Near=380, Week=5, Quarter=30, Far=400)))
    assert state("KodeksLicenseExpiring2day", f"i{roga.id}|licence:Near") == "resolved"  # a new reg-file
    assert state("KodeksLicenseExpiring7day", f"i{roga.id}|licence:Week") == "firing"


def test_licence_time_runs_in_the_installations_zone(deliver, roga, state):
    expires = (now() + timedelta(days=20)).date()
    deliver(report(now() - H, licences=(Licence(product="Zone", expires_on=expires, seats=1),)))
    # valid through `expires` local: Vladivostok (UTC+10) ends at 14:00 UTC the day before the next,
    # Kaliningrad (UTC+2) at 22:00 UTC; 2 days before 18:00 UTC the first is inside 2 days, the other not
    at = datetime.combine(expires - timedelta(days=2), datetime.min.time(), UTC) + timedelta(hours=18)
    names = {"KodeksLicenseExpiring2day", "KodeksLicenseExpiring7day"}
    for zone, nearest in (("Asia/Vladivostok", "KodeksLicenseExpiring2day"),
                          ("Europe/Kaliningrad", "KodeksLicenseExpiring7day")):
        roga.time_zone = zone
        roga.save()
        evaluate(at, names=names)
        assert state(nearest, f"i{roga.id}|licence:Zone") == "firing", zone


def test_an_undated_licence_or_no_licence_block_blinds_the_expiry_warnings(deliver, roga, alert, state):
    t0 = now() - 3 * H
    undated = (Licence(product="Кодекс: Законодательство", expires_on=None, seats=10),
               Licence(product="Дата есть", expires_on=date(2099, 1, 1), seats=1))
    deliver(report(t0, licences=undated))
    found = alert("KodeksDBLicensesZero", f"i{roga.id}")
    assert found.state == "firing" and "no expiry date for Кодекс: Законодательство in the sysinfo" in found.detail
    deliver(report(t0 + H))
    assert state("KodeksDBLicensesZero", f"i{roga.id}") == "resolved"
    deliver(report(t0 + 2 * H, licences=()))
    found = alert("KodeksDBLicensesZero", f"i{roga.id}")
    assert found.state == "firing" and "no licence block" in found.detail


def test_stale_operup_files_fire_per_file(deliver, roga, alert, state):
    t0 = now() - 3 * H
    old, fresh = r"D:\Kodeks\OperUp\30725NKV.ud6", r"D:\Kodeks\OperUp\2330thes.udt"
    deliver(report(t0, operups={old: timedelta(days=4), fresh: timedelta(hours=20)}))
    found = alert("KodeksDBOperUpToOld", f"i{roga.id}|file:{old}")
    assert found.state == "firing" and found.labels["file"] == old and found.value == str(4 * 86400)
    assert f"operup file {old} was 4 d old at the report time" in found.detail
    assert state("KodeksDBOperUpToOld", f"i{roga.id}|file:{fresh}") is None
    deliver(report(t0 + H, operups={old: timedelta(hours=2), fresh: timedelta(hours=21)}))
    assert state("KodeksDBOperUpToOld", f"i{roga.id}|file:{old}") == "resolved"


def test_clock_skew_per_stream_and_manual_uploads_are_not_judged(deliver, roga, dealer, alert, state):
    deliver(report(now() - timedelta(minutes=12)))
    found = alert("ClockSkew", f"i{roga.id}|stream:sysinfo")
    assert found.state == "firing" and "is 12 min behind SMART's receipt time" in found.detail
    deliver(status_file(now() + timedelta(minutes=7)), "ROGA.status")
    assert "ahead of" in alert("ClockSkew", f"i{roga.id}|stream:status").detail
    deliver(report(now() - timedelta(minutes=1)))
    assert state("ClockSkew", f"i{roga.id}|stream:sysinfo") == "resolved"
    outcome = service.accept_internal(dealer, "ROGA.zip", report(now() - timedelta(minutes=50)))
    from smart.pipeline.worker import drain

    drain()
    outcome.report.refresh_from_db()
    assert outcome.report.status == "ok" and outcome.report.channel == "manual"
    assert state("ClockSkew", f"i{roga.id}|stream:sysinfo") == "resolved"


def test_registry_flag_reads_the_client(roga, installation):
    other = installation("ROGB")
    roga.client.support_ended = True
    roga.client.save()
    condition = {"kind": "registry_flag", "flag": "support_ended", "value": True}
    found = registry_flag(condition, Scope(now()))
    assert list(found) == [f"i{roga.id}"]
    assert found[f"i{roga.id}"].detail == "ROGA: the client Рога is flagged “support ended”"
    assert list(registry_flag({**condition, "value": False}, Scope(now()))) == [f"i{other.id}"]
    assert registry_flag(condition, Scope(now(), installation_ids=frozenset({other.id}))) == {}
    with pytest.raises(ValueError):
        registry_flag({**condition, "flag": "no_such_flag"}, Scope(now()))
