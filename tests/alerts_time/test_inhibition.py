"""Holding back by the registry and the dealer (D §1.5): a seasonal client's low-use alerts, and probe
alerts of a host inside a dealer-declared maintenance window, wait in pending with the reason."""
from datetime import datetime, timedelta, timezone

import pytest

from smart.alerts.models import Alert, Flip, MaintenanceWindow, State
from smart.alerts.worker import run_once
from smart.probes.results import Result
from smart.probes.store import Recorder
from tests.pipeline.reports import as_zip, sysinfo

from .helpers import MOSCOW, alert, local, reading, state

pytestmark = pytest.mark.django_db
UTC = timezone.utc
T0 = datetime(2026, 3, 20, 3, 0, tzinfo=UTC)


def test_a_seasonal_clients_quota_alerts_are_not_muted(site, client):
    client.seasonal = True
    client.save()
    reading(site.access, local(MOSCOW, 2026, 1, 9, 9, 0), documents=10)
    run_once(local(MOSCOW, 2026, 1, 9, 9, 1))
    assert state("OnlineBillingDocsLeft50", f"o{site.access.pk}|documents") == State.FIRING


def test_seasonal_holds_and_lifting_it_fires(site, client):
    client.seasonal = True
    client.save()
    key = f"o{site.access.pk}"
    reading(site.access, local(MOSCOW, 2026, 1, 9, 9, 0), documents=995)  # 0.5 % used
    flips = run_once(local(MOSCOW, 2026, 1, 10, 12, 0))
    held = alert("OnlineUserActivityIsLow10", key)
    assert (held.state, held.inhibited_by) == (State.PENDING, "seasonal") and not flips
    client.seasonal = False
    client.save()
    flips = run_once(local(MOSCOW, 2026, 1, 10, 12, 1))
    assert [(f.alert.rule, f.new_state) for f in flips] == [("OnlineUserActivityIsLow10", "firing")]
    assert alert("OnlineUserActivityIsLow10", key).inhibited_by == ""


def test_seasonal_installation_activity_and_involvement(deliver, roga):
    roga.client.seasonal = True
    roga.client.save()
    deliver(as_zip(sysinfo(local(MOSCOW, 2026, 1, 20, 9, 30), db_requests=(1, 0))))
    run_once(local(MOSCOW, 2026, 1, 20, 10, 0))
    for rule in ("KodeksUserActivityIsLow", "KodeksUserAInvolvementIsLow"):
        held = alert(rule, f"i{roga.pk}")
        assert (held.state, held.inhibited_by) == (State.PENDING, "seasonal"), rule
    assert not Flip.objects.filter(alert__installation=roga, alert__rule__contains="IsLow").exists()


def probe(installations, start, minutes, ok=False):
    recorder = Recorder()
    for minute in range(minutes):
        recorder.record([Result(check="tcp", ok=ok, at=start + timedelta(minutes=minute), state="ok" if ok else "refused",
                                detail="connection refused", dealer_id=i.dealer_id, installation_id=i.id)
                         for i in installations])


@pytest.mark.parametrize("scope", ["installation", "client", "dealer"])
def test_probe_alerts_wait_during_a_maintenance_window(fleet, dealer, scope):
    inst, other = fleet[0][0], fleet[0][1]
    window = {"installation": {"installation": inst}, "client": {"client": inst.client}, "dealer": {}}[scope]
    MaintenanceWindow.objects.create(dealer=dealer, starts_at=T0, ends_at=T0 + timedelta(hours=1), **window)
    probe([inst, other], T0, 6)
    held = Alert.objects.get(rule="KodeksTcpStatus", installation=inst)
    assert (held.state, held.inhibited_by) == (State.PENDING, "maintenance window")
    assert not Flip.objects.filter(alert=held).exists()
    outside = Alert.objects.get(rule="KodeksTcpStatus", installation=other).state
    assert outside == (State.PENDING if scope != "installation" else State.FIRING)

    probe([inst], T0 + timedelta(hours=1), 1)  # still down when the window ends: it fires at once
    fired = Alert.objects.get(rule="KodeksTcpStatus", installation=inst)
    assert (fired.state, fired.inhibited_by) == (State.FIRING, "")
    assert fired.fired_at == T0 + timedelta(hours=1)


def test_a_window_of_another_installation_or_in_the_past_holds_nothing(fleet, dealer):
    inst, other = fleet[0][0], fleet[0][1]
    MaintenanceWindow.objects.create(dealer=dealer, installation=other, starts_at=T0, ends_at=T0 + timedelta(hours=1))
    MaintenanceWindow.objects.create(dealer=dealer, installation=inst, starts_at=T0 - timedelta(hours=3),
                                     ends_at=T0 - timedelta(hours=1))
    probe([inst], T0, 5)
    assert Alert.objects.get(rule="KodeksTcpStatus", installation=inst).state == State.FIRING


def test_a_closed_networks_probe_alerts_wait(fleet):
    inst = fleet[0][0]
    inst.client.closed_network = True
    inst.client.save()
    probe([inst], T0, 5)
    held = Alert.objects.get(rule="KodeksTcpStatus", installation=inst)
    assert (held.state, held.inhibited_by) == (State.PENDING, "closed network")
