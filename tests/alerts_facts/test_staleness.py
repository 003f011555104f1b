"""staleness: tiers P3 → P2 → P1 as time passes, the installation's cadence, a closed network's grace,
maintenance windows; a new report resolves at once (the on-fact hook re-evaluates its stream's staleness)."""
from datetime import timedelta

import pytest

from smart.alerts.catalogue import load
from smart.alerts.conditions.scope import Scope
from smart.alerts.conditions.staleness import staleness
from smart.alerts.engine import evaluate
from smart.alerts.models import MaintenanceWindow

from .build import now, report, status_file

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
S = timedelta(seconds=1)
XML = "SmartXMLfileIsToOld"


def at(moment, rule=XML):
    evaluate(moment, names={rule})


def test_tiers_rise_with_the_silence_and_a_new_report_resolves(deliver, roga, alert):
    t0 = now() - 30 * H
    deliver(report(t0))
    key = f"i{roga.id}"
    at(t0 + 3 * H)
    assert alert(XML, key) is None  # 3 × the hourly cadence, and not more
    at(t0 + 3 * H + S)
    found = alert(XML, key)
    assert (found.state, found.labels["priority"], found.pending_since) == ("firing", "P3", t0 + 3 * H)
    assert found.detail == f"ROGA: no sysinfo for 3 h since {t0:%d.%m.%Y %H:%M} UTC; tier P3 after 3 h"
    at(t0 + 12 * H + S)
    found = alert(XML, key)
    assert (found.state, found.labels["priority"]) == ("firing", "P2") and "tier P2 after 12 h" in found.detail
    at(t0 + 24 * H + S)
    assert alert(XML, key).labels["priority"] == "P1"
    deliver(report(t0 + 29 * H))
    assert alert(XML, key).state == "resolved"


def test_the_cadence_tier_follows_the_installations_interval(deliver, roga, alert):
    roga.expected_interval_s = 7200
    roga.save()
    t0 = now() - 30 * H
    deliver(report(t0))
    at(t0 + 5 * H)
    assert alert(XML, f"i{roga.id}") is None
    at(t0 + 6 * H + S)
    assert alert(XML, f"i{roga.id}").labels["priority"] == "P3"


def test_a_closed_network_gets_its_visit_cadence_and_the_grace(deliver, roga, alert):
    roga.client.closed_network = True
    roga.client.save()
    roga.expected_interval_s = 7 * 86400  # the dealer visits weekly
    roga.save()
    t0 = now() - 20 * 86400 * S
    deliver(report(t0))
    key = f"i{roga.id}"
    at(t0 + 14 * 86400 * S)
    assert alert(XML, key) is None  # a week's visit cadence + 7 days' grace
    at(t0 + 14 * 86400 * S + S)
    found = alert(XML, key)
    assert found.labels["priority"] == "P3" and "closed network" in found.detail
    at(t0 + (14 * 86400 + 12 * 3600) * S + S)
    assert alert(XML, key).labels["priority"] == "P2"
    at(t0 + 15 * 86400 * S + S)
    assert alert(XML, key).labels["priority"] == "P1"


def test_a_maintenance_window_postpones_staleness_to_its_end_plus_a_cadence(deliver, roga, dealer, installation):
    t0 = now() - 30 * H
    deliver(report(t0))
    condition = load()[XML].condition
    MaintenanceWindow.objects.create(dealer=dealer, client=roga.client, starts_at=t0 + 2 * H, ends_at=t0 + 5 * H)
    MaintenanceWindow.objects.create(dealer=dealer, installation=installation("ROGB"), starts_at=t0,
                                     ends_at=t0 + 20 * H)
    for hours, stale in ((3.5, False), (5.5, False), (5.99, False), (6, True)):
        found = staleness(condition, Scope(t0 + hours * H))
        assert (f"i{roga.id}" in found) is stale, hours
    assert staleness(condition, Scope(t0 + 6 * H))[f"i{roga.id}"].since == t0 + 3 * H


def test_a_window_does_not_excuse_silence_that_began_before_it(deliver, roga, dealer):
    t0 = now() - 30 * H
    deliver(report(t0))
    MaintenanceWindow.objects.create(dealer=dealer, installation=roga, starts_at=t0 + 4 * H, ends_at=t0 + 8 * H)
    MaintenanceWindow.objects.create(dealer=dealer, starts_at=t0 + 10 * H, ends_at=t0 + 12 * H)  # dealer-wide
    condition = load()[XML].condition
    assert f"i{roga.id}" in staleness(condition, Scope(t0 + 5 * H))  # silent since t0 + 3 h
    deliver(report(t0 + 9 * H))
    assert f"i{roga.id}" not in staleness(condition, Scope(t0 + 12.5 * H))  # stale from 12 h: the dealer's window
    assert f"i{roga.id}" in staleness(condition, Scope(t0 + 13 * H))


def test_status_files_go_stale_after_45_minutes(deliver, roga, installation, alert):
    t0 = now() - 3 * H
    installation("SILENT")  # never sent a status file: nothing to miss
    deliver(status_file(t0), "ROGA.status")
    at(t0 + timedelta(minutes=45), "SmartStatusIsToOld")
    assert alert("SmartStatusIsToOld", f"i{roga.id}") is None
    at(t0 + timedelta(minutes=45) + S, "SmartStatusIsToOld")
    found = alert("SmartStatusIsToOld", f"i{roga.id}")
    assert found.state == "firing" and found.labels["stream"] == "status"
    assert list(staleness(load()["SmartStatusIsToOld"].condition, Scope(t0 + 2 * H))) == [f"i{roga.id}"]
    deliver(status_file(t0 + H), "ROGA.status")
    assert alert("SmartStatusIsToOld", f"i{roga.id}").state == "resolved"
