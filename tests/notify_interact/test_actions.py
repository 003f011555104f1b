"""The actions themselves: acknowledge once per firing episode (with its TTA), take it back, snooze;
and a one-alert link (the UI's per-row link)."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from smart.alerts import actions
from smart.alerts.models import Alert

from .conftest import fail_tcp

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(fired):
    return Alert.objects.get(rule="KodeksTcpStatus")


def test_acknowledge_once_per_episode(alert):
    at = alert.fired_at + timedelta(minutes=7)
    first = actions.acknowledge(alert, via="cli", now=at)
    assert first.done and alert.acknowledged_via == "cli" and alert.tta_s == 420
    again = actions.acknowledge(alert, via="ui", now=at + timedelta(minutes=1))
    assert not again.done and again.reason == "already"
    alert.refresh_from_db()
    assert (alert.acknowledged_at, alert.acknowledged_via, alert.tta_s) == (at, "cli", 420)


def test_take_back_and_acknowledge_again_measures_again(alert):
    actions.acknowledge(alert, via="ui", now=alert.fired_at + timedelta(minutes=1))
    back = actions.unacknowledge(alert, via="ui")
    assert back.done and alert.acknowledged_at is None and alert.tta_s is None and alert.acknowledged_via == ""
    assert actions.unacknowledge(alert).reason == "not_acknowledged"
    assert actions.acknowledge(alert, via="ui", now=alert.fired_at + timedelta(minutes=3)).done
    assert alert.tta_s == 180


def test_snooze_and_its_limits(alert):
    now = timezone.now()
    until = now + timedelta(hours=2)
    assert actions.snooze(alert, until, via="telegram", now=now).done and alert.snoozed_until == until
    assert actions.snooze(alert, until, now=now).reason == "already"
    with pytest.raises(ValueError):
        actions.snooze(alert, now - timedelta(minutes=1), now=now)
    assert actions.snooze(alert, None, now=now).done and alert.snoozed_until is None
    with pytest.raises(ValueError):
        actions.acknowledge(alert, via="pigeon")


def test_nothing_to_do_on_a_resolved_alert(fired, alert):
    fail_tcp([fired[0]], fired[1] + timedelta(minutes=1), minutes=1, ok=True)
    assert actions.acknowledge(alert).reason == "not_firing"
    assert actions.snooze(alert, timezone.now() + timedelta(hours=1)).reason == "not_firing"
    alert.refresh_from_db()
    assert alert.acknowledged_at is None and alert.snoozed_until is None


def test_a_one_alert_link_acts_on_that_alert_and_only_in_its_episode(fired, alert):
    token = actions.make_token("ack", alert=alert)
    assert actions.token_alerts(actions.read_token(token)) == (None, [alert])
    page = Client().post(f"/alerts/act/{token}")
    assert page.status_code == 200
    alert.refresh_from_db()
    assert alert.acknowledged_via == "email"

    stale = actions.make_token("snooze1h", alert=alert)
    fail_tcp([fired[0]], fired[1] + timedelta(minutes=1), minutes=1, ok=True)
    fail_tcp([fired[0]], fired[1] + timedelta(minutes=2), minutes=7)  # a new episode
    alert.refresh_from_db()
    assert alert.state == "firing"
    assert "сработала снова" in Client().post(f"/alerts/act/{stale}").content.decode()
    alert.refresh_from_db()
    assert alert.snoozed_until is None


def test_a_link_needs_one_target():
    with pytest.raises(ValueError):
        actions.make_token("ack")
    with pytest.raises(ValueError):
        actions.make_token("delete", alert=Alert(pk=1, fingerprint="x"))
