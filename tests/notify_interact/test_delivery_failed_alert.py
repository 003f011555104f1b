"""SmartNotifierDeliveryFailed: fires on the platform when SMART cannot deliver its own messages (a
permanent failure in the last 15 minutes, or a message still undelivered after two failed attempts),
and resolves once delivery works again."""
import time
from datetime import timedelta

import pytest

from smart.alerts.engine import evaluate
from smart.alerts.models import Alert
from smart.notify.models import Channel, Notification
from smart.notify.sender import send_due

from .conftest import CHAT, deliver, notification

pytestmark = pytest.mark.django_db
RULE = "SmartNotifierDeliveryFailed"


def check(now):
    evaluate(now, names={RULE})
    return Alert.objects.filter(rule=RULE).first()


def test_fires_when_telegram_answers_403_and_resolves_after_15_quiet_minutes(fired, chat_route, telegram):
    now = fired[1]
    assert check(now) is None
    telegram.set_fault("bot_blocked", chat_id=CHAT)
    deliver(now)
    row = notification(Channel.TELEGRAM)
    assert row.state == Notification.State.FAILED and "403" in row.last_error
    alert = check(now + timedelta(seconds=10))
    assert alert.state == "firing" and alert.object_key == "platform" and alert.dealer_id is None
    assert alert.priority == "P2" and "blocked" in alert.detail and alert.value == "1"
    assert check(now + timedelta(minutes=10)).state == "firing"  # within the window
    assert check(now + timedelta(minutes=16)).state == "resolved"


def test_fires_while_transient_failures_keep_a_message_undelivered(fired, chat_route, telegram):
    now = fired[1]
    telegram.set_fault("server_error", 500)
    deliver(now)
    row = notification(Channel.TELEGRAM)
    assert row.attempts == 1 and check(now + timedelta(seconds=10)) is None  # one failure is a blip
    time.sleep(1.1)  # the chat's budget: one message a second
    send_due(row.not_before + timedelta(seconds=1))
    row.refresh_from_db()
    assert row.attempts == 2 and row.state == Notification.State.QUEUED
    alert = check(row.not_before)
    assert alert.state == "firing" and "still retrying" in alert.detail and "500" in alert.detail
    telegram.clear_faults()
    time.sleep(1.1)
    assert send_due(row.not_before + timedelta(seconds=1)) == 1
    assert check(row.not_before + timedelta(seconds=2)).state == "resolved"  # nothing failed for good


def test_its_own_failures_do_not_keep_it_firing(dealer):
    from django.utils import timezone

    now = timezone.now()
    Notification.objects.create(dealer=None, channel=Channel.EMAIL, target="ops@smart.local", rule=RULE,
                                new_state="firing", created_at=now, not_before=now, claimed_at=now,
                                state=Notification.State.FAILED, last_error="mailbox refused")
    assert check(now + timedelta(seconds=1)) is None
