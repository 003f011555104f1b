"""Probe results → check states → alerts (through the prober's results_recorded signal)."""
from datetime import datetime, timedelta, timezone

import pytest

from smart.alerts.engine import evaluate
from smart.alerts.models import Alert, Flip, State
from smart.probes.results import Result
from smart.probes.store import Recorder

UTC = timezone.utc
T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def run(recorder, inst, minute, **checks):
    """One probe cycle at T0 + minute: checks given as name=(ok, state)."""
    recorder.record([Result(check=name, ok=ok, at=T0 + timedelta(minutes=minute), state=state, code=0 if not ok else 200,
                            dealer_id=inst.dealer_id, installation_id=inst.id)
                     for name, (ok, state) in checks.items()])


def alert(rule, inst):
    return Alert.objects.filter(rule=rule, installation=inst).first()


def test_port_closed_fires_after_three_minutes_and_resolves_on_the_first_success(fleet):
    inst = fleet[0][0]
    recorder = Recorder()
    run(recorder, inst, 0, tcp=(True, "ok"))
    for minute in range(1, 5):
        run(recorder, inst, minute, tcp=(False, "refused"))
        expected = State.FIRING if minute >= 4 else (State.PENDING if minute >= 3 else None)
        found = alert("KodeksTcpStatus", inst)
        assert (found.state if found else None) == expected, minute
    assert alert("KodeksTcpStatus", inst).fired_at == T0 + timedelta(minutes=4)  # failing since 0:01, for 3 min
    run(recorder, inst, 5, tcp=(True, "ok"))
    found = alert("KodeksTcpStatus", inst)
    assert found.state == State.RESOLVED
    assert [f.new_state for f in Flip.objects.filter(alert=found).order_by("id")] == ["firing", "resolved"]


def test_a_closed_port_holds_back_the_http_alert(fleet):
    inst = fleet[0][0]
    recorder = Recorder()
    for minute in range(0, 12):
        run(recorder, inst, minute, tcp=(False, "refused"), http200=(False, "refused"))
    assert alert("KodeksTcpStatus", inst).state == State.FIRING
    http = alert("KodeksHttp200Status", inst)
    assert http.state == State.PENDING and http.inhibited_by == "KodeksTcpStatus"
    assert not Flip.objects.filter(alert=http).exists()


def test_maintenance_is_not_an_http_failure(fleet):
    inst = fleet[0][0]
    recorder = Recorder()
    for minute in range(0, 10):
        run(recorder, inst, minute, tcp=(True, "ok"), http200=(False, "maintenance"), Maintenance=(False, "maintenance"))
    assert alert("KodeksMaintenance", inst).state == State.FIRING
    assert alert("KodeksHttp200Status", inst) is None  # 503 with the maintenance page is excluded


def test_smartlogin_failure_holds_back_key_and_warning(fleet):
    inst = fleet[0][0]
    recorder = Recorder()
    for minute in range(0, 8):
        run(recorder, inst, minute, auth=(False, "rejected"), key=(False, "no_auth"), warning=(False, "no_auth"))
    assert alert("KodeksAuthNotWork", inst).state == State.FIRING
    key = alert("KodeksOnlineSensLockCheck", inst)
    assert key.state == State.PENDING and key.inhibited_by == "KodeksAuthNotWork"


def test_many_hosts_down_fire_one_count_alert_for_the_dealer(fleet, dealer):
    installations, _ = fleet
    recorder = Recorder()
    for minute in range(0, 5):
        for inst in installations[:4]:
            run(recorder, inst, minute, tcp=(False, "refused"))
    count = Alert.objects.get(rule="KodeksTcpStatusCount", object_key=f"d{dealer.id}")
    # 12 installations: T = max(3, min(10, ceil(25 % × 12))) = 3; 4 hosts firing
    assert count.state == State.FIRING and count.object_key == f"d{dealer.id}" and count.value == "4"
    assert "4 hosts firing KodeksTcpStatus (threshold 3)" in count.detail
    assert Alert.objects.get(rule="KodeksTcpStatusCount", object_key="platform").state == State.FIRING
    for inst in installations[:2]:  # 2 left: under 0.8 × 3, resolves after two clear evaluations
        run(recorder, inst, 6, tcp=(True, "ok"))
    evaluate(T0 + timedelta(minutes=7), names={"KodeksTcpStatusCount"})
    evaluate(T0 + timedelta(minutes=8), names={"KodeksTcpStatusCount"})
    assert Alert.objects.get(rule="KodeksTcpStatusCount", object_key=f"d{dealer.id}").state == State.RESOLVED


def _billing(recorder, access, minute, ok, state):
    recorder.record([Result(check="billing", ok=ok, at=T0 + timedelta(minutes=minute), state=state,
                            dealer_id=access.dealer_id, online_access_id=access.id)])


def test_online_login_failure_versus_server_unreachable(fleet):
    _, access = fleet
    recorder = Recorder()
    _billing(recorder, access, 0, False, "ConnectionTimeout")
    _billing(recorder, access, 60, False, "ConnectionTimeout")
    assert Alert.objects.get(rule="OnlineServerUnreachable").state == State.FIRING
    assert not Alert.objects.filter(rule="OnlineLoginFailed").exists()
    _billing(recorder, access, 120, False, "LoginPasswordError")
    _billing(recorder, access, 180, False, "LoginPasswordError")
    assert Alert.objects.get(rule="OnlineLoginFailed").state == State.FIRING
    assert Alert.objects.get(rule="OnlineServerUnreachable").state == State.RESOLVED
