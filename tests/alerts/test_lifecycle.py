"""pending → firing → resolved: `for` durations, hysteresis, inhibition, re-opening, scope."""
from datetime import datetime, timedelta, timezone

import pytest

from smart.alerts.lifecycle import Observation, RuleSpec, apply
from smart.alerts.models import Alert, Flip, State

UTC = timezone.utc
T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def obs(key, minutes, **kw):
    return Observation(object_key=key, at=T0 + timedelta(minutes=minutes), **kw)


def flips():
    return [(f.alert.object_key, f.new_state, f.at) for f in Flip.objects.select_related("alert").order_by("id")]


def test_fires_after_its_for_duration_and_resolves_once():
    rule = RuleSpec("KodeksTcpStatus", for_s=180, priority="P1")
    for minute in range(4):  # seen at 0, 1, 2, 3 minutes: for 3 min reached at minute 3
        apply(rule, [obs("i1", minute)], None, T0 + timedelta(minutes=minute))
        assert Alert.objects.get().state == (State.FIRING if minute == 3 else State.PENDING)
    apply(rule, [], None, T0 + timedelta(minutes=4))
    alert = Alert.objects.get()
    assert alert.state == State.RESOLVED and alert.resolved_at == T0 + timedelta(minutes=4)
    assert flips() == [("i1", "firing", T0 + timedelta(minutes=3)), ("i1", "resolved", T0 + timedelta(minutes=4))]
    apply(rule, [], None, T0 + timedelta(minutes=5))
    assert len(flips()) == 2  # resolved once


def test_a_blip_shorter_than_for_never_fires():
    rule = RuleSpec("KodeksHttp200Status", for_s=300)
    apply(rule, [obs("i1", 0)], None, T0)
    apply(rule, [obs("i1", 2)], None, T0 + timedelta(minutes=2))
    apply(rule, [], None, T0 + timedelta(minutes=3))
    assert flips() == [] and Alert.objects.get().state == State.RESOLVED


def test_hysteresis_needs_consecutive_clear_evaluations():
    rule = RuleSpec("KodeksMaintenanceCount", resolve_after=2)
    apply(rule, [obs("platform", 0)], None, T0)
    apply(rule, [], None, T0 + timedelta(minutes=1))
    apply(rule, [obs("platform", 2)], None, T0 + timedelta(minutes=2))  # back: the streak restarts
    apply(rule, [], None, T0 + timedelta(minutes=3))
    assert Alert.objects.get().state == State.FIRING
    apply(rule, [], None, T0 + timedelta(minutes=4))
    assert Alert.objects.get().state == State.RESOLVED
    assert [f[1] for f in flips()] == ["firing", "resolved"]


def test_inhibited_instances_wait_in_pending():
    rule = RuleSpec("KodeksHttp200Status")
    apply(rule, [obs("i1", 0)], None, T0, inhibited={"i1": "KodeksMaintenance"})
    alert = Alert.objects.get()
    assert alert.state == State.PENDING and alert.inhibited_by == "KodeksMaintenance"
    apply(rule, [obs("i1", 1)], None, T0 + timedelta(minutes=1))  # maintenance over, still failing
    assert Alert.objects.get().state == State.FIRING and flips()[0][2] == T0 + timedelta(minutes=1)


def test_a_resolved_instance_reopens_with_a_fresh_pending_time():
    rule = RuleSpec("KodeksIcmp", for_s=60)
    apply(rule, [obs("i1", 0)], None, T0)
    apply(rule, [obs("i1", 1)], None, T0 + timedelta(minutes=1))
    apply(rule, [], None, T0 + timedelta(minutes=2))
    apply(rule, [obs("i1", 10)], None, T0 + timedelta(minutes=10))
    alert = Alert.objects.get()
    assert alert.state == State.PENDING and alert.pending_since == T0 + timedelta(minutes=10)
    assert alert.fired_at is None and alert.acknowledged_at is None


def test_scope_limits_what_is_resolved():
    rule = RuleSpec("KodeksXmlSensLockStatus")
    apply(rule, [obs("i1", 0, installation_id=None), obs("i2", 0)], None, T0)
    a1 = Alert.objects.get(object_key="i1")
    Alert.objects.filter(object_key="i1").update(labels={"x": 1})
    # an evaluation of installation 2 alone, where the condition cleared, must not touch installation 1
    apply(rule, [], {"object_key": "i2"}, T0 + timedelta(minutes=1))
    assert Alert.objects.get(object_key="i1").state == State.FIRING == a1.state
    assert Alert.objects.get(object_key="i2").state == State.RESOLVED


def test_priorities_are_copied_from_the_rule():
    rule = RuleSpec("OnlineBillingDocsLeft50", priority="P2", legacy_priority="K4", importance="critical",
                    category="online_billing")
    apply(rule, [obs("o5|documents", 0, value="42", detail="42 documents left")], None, T0)
    alert = Alert.objects.get()
    assert (alert.priority, alert.legacy_priority, alert.importance, alert.category, alert.value) == \
        ("P2", "K4", "critical", "online_billing", "42")
