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


def test_time_to_resolve_is_kept_per_episode():
    rule = RuleSpec("KodeksTcpStatus", for_s=60)
    apply(rule, [obs("i1", 0)], None, T0)
    apply(rule, [obs("i1", 1)], None, T0 + timedelta(minutes=1))  # fires at minute 1
    apply(rule, [], None, T0 + timedelta(minutes=9, seconds=30))
    assert Alert.objects.get().ttr_s == 8.5 * 60
    apply(rule, [obs("i1", 20)], None, T0 + timedelta(minutes=20))  # a new episode forgets the old TTR
    assert Alert.objects.get().ttr_s is None
    apply(rule, [], None, T0 + timedelta(minutes=21))  # resolved from pending: it never fired, no TTR
    alert = Alert.objects.get()
    assert alert.state == State.RESOLVED and alert.ttr_s is None


def _writes(queries) -> list[str]:
    """The verbs of the statements that wrote (a `WITH v AS (VALUES …) UPDATE …` is an UPDATE)."""
    verbs = []
    for q in queries:
        words = q["sql"].split()
        verb = "UPDATE" if words[0] == "WITH" and "UPDATE" in words else words[0]
        if verb in ("INSERT", "UPDATE", "DELETE"):
            verbs.append(verb)
    return verbs


def test_a_steady_state_writes_nothing_until_something_changes():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from smart.alerts.lifecycle import LAST_SEEN_STEP

    rule = RuleSpec("KodeksTcpStatus")
    keys = [f"i{n}" for n in range(30)]
    apply(rule, [obs(k, 0, detail="refused") for k in keys], None, T0)
    assert Alert.objects.filter(state=State.FIRING).count() == 30
    with CaptureQueriesContext(connection) as seen:
        apply(rule, [obs(k, 1, detail="refused") for k in keys], None, T0 + timedelta(minutes=1))
    assert _writes(seen.captured_queries) == []  # only seen again, a minute later
    step = 2 * LAST_SEEN_STEP.total_seconds() / 60  # due for every instance (each waits 1-2 steps)
    with CaptureQueriesContext(connection) as seen:
        apply(rule, [obs(k, step, detail="refused") for k in keys], None, T0 + timedelta(minutes=step))
    assert _writes(seen.captured_queries) == ["UPDATE"]  # last_seen_at, all rows in one statement
    assert Alert.objects.filter(last_seen_at=T0 + timedelta(minutes=step)).count() == 30
    with CaptureQueriesContext(connection) as seen:
        apply(rule, [obs(k, step + 1, **({"detail": "timeout", "labels": {"state": "timeout", "n": 2}} if k == "i3"
                                         else {"detail": "refused"})) for k in keys[:-1]], None,
              T0 + timedelta(minutes=step + 1))
    assert _writes(seen.captured_queries) == ["UPDATE", "UPDATE", "INSERT"]  # the detail, the resolution, its flip
    changed = Alert.objects.get(object_key="i3")
    assert (changed.detail, changed.labels) == ("timeout", {"state": "timeout", "n": 2})
    assert changed.last_seen_at == T0 + timedelta(minutes=step + 1)  # written with the change
    assert Alert.objects.get(object_key=keys[-1]).state == State.RESOLVED


def test_last_seen_writes_of_a_fleet_that_fired_together_are_spread_over_passes():
    from smart.alerts.lifecycle import LAST_SEEN_STEP

    rule = RuleSpec("KodeksTcpStatus")
    keys = [f"i{n}" for n in range(40)]
    apply(rule, [obs(k, 0) for k in keys], None, T0)
    written = []
    for k in range(1, 11):  # one pass a step / 5 (a minute for the 5-minute step): two steps in all
        at = LAST_SEEN_STEP.total_seconds() / 60 * k / 5
        apply(rule, [obs(key, at) for key in keys], None, T0 + timedelta(minutes=at))
        written.append(Alert.objects.filter(last_seen_at=T0 + timedelta(minutes=at)).count())
    assert written[:4] == [0, 0, 0, 0] and sum(written) == len(keys)  # each once, none before its step
    assert max(written) < len(keys) / 2


@pytest.mark.django_db(transaction=True)
def test_two_passes_over_one_rule_queue_on_its_instances():
    """A pass waits for another writer holding the rule's instances (PostgreSQL: their row locks; SQLite:
    the write lock its IMMEDIATE transactions take) and decides from what that one committed: here the
    other pass resolved the instance, so this pass's observation opens a new episode."""
    import threading
    import time

    from django.db import connections, transaction

    rule = RuleSpec("KodeksTcpStatus", for_s=60)
    apply(rule, [obs("i1", 0, since=T0 - timedelta(minutes=5))], None, T0)
    assert Alert.objects.get().state == State.FIRING
    locked, release = threading.Event(), threading.Event()

    def other_pass():
        try:
            with transaction.atomic():
                list(Alert.objects.select_for_update().filter(rule=rule.name))
                locked.set()
                release.wait(10)
                Alert.objects.filter(rule=rule.name).update(state=State.RESOLVED, resolved_at=T0 + timedelta(seconds=30))
        finally:
            connections.close_all()

    holder = threading.Thread(target=other_pass)
    holder.start()
    assert locked.wait(10)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    apply(rule, [obs("i1", 1)], None, T0 + timedelta(minutes=1))
    waited = time.monotonic() - started
    holder.join(10)
    alert = Alert.objects.get()
    assert waited >= 0.4, waited
    assert (alert.state, alert.pending_since) == (State.PENDING, T0 + timedelta(minutes=1))  # not lost under it
