"""The Acknowledge / Snooze buttons of a FIRING Telegram message, pressed in the stand-in and handled by
the bot poller: the alert changes, the press is answered, the message is edited; presses that do not
belong to the chat change nothing."""
from datetime import timedelta

import pytest
from django.utils import timezone

from smart.alerts.models import Alert
from smart.notify.bot import callback_data, parse_callback
from smart.notify.models import Channel, Route

from .conftest import CHAT, deliver, notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(fired, chat_route, telegram):
    deliver(fired[1])
    [sent] = telegram.messages(CHAT)
    return sent


def buttons(message) -> dict:
    return {b["text"]: b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row}


def answers(telegram) -> list[dict]:
    return list(telegram.callback_answers().values())


def test_a_firing_message_has_acknowledge_and_snooze_buttons(message):
    found = buttons(message)
    assert list(found) == ["Принять", "Отложить на 1 ч"]
    n = notification(Channel.TELEGRAM)
    assert [parse_callback(data) for data in found.values()] == [("ack", n.pk), ("snooze1h", n.pk)]
    assert all(len(data.encode()) <= 64 for data in found.values())


def test_pressing_acknowledge(message, telegram, poller):
    telegram.user_presses(CHAT, message["message_id"], buttons(message)["Принять"], user_id=4242)
    assert poller.run_once() == 1
    alert = Alert.objects.get(rule="KodeksTcpStatus")
    assert alert.acknowledged_via == "telegram" and alert.acknowledged_at is not None
    assert alert.tta_s == pytest.approx((alert.acknowledged_at - alert.fired_at).total_seconds())
    [answer] = answers(telegram)
    assert answer["answered"] and answer["text"] == "Принято" and not answer["show_alert"]
    [edited] = telegram.messages(CHAT)
    assert edited["edited_at"] and edited["reply_markup"] is None  # nothing left to press
    assert "Принято: User 4242" in edited["text"] and "KodeksTcpStatus" in edited["text"]


def test_pressing_acknowledge_twice_is_answered_and_changes_nothing(message, telegram, poller):
    data = buttons(message)["Принять"]
    telegram.user_presses(CHAT, message["message_id"], data)
    poller.run_once()
    first = Alert.objects.get(rule="KodeksTcpStatus").acknowledged_at
    telegram.user_presses(CHAT, message["message_id"], data)  # an old client still shows the button
    poller.run_once()
    assert Alert.objects.get(rule="KodeksTcpStatus").acknowledged_at == first
    assert [a["text"] for a in answers(telegram)] == ["Принято", "Уже принято"]


def test_pressing_snooze_keeps_the_acknowledge_button(message, telegram, poller):
    before = timezone.now()
    telegram.user_presses(CHAT, message["message_id"], buttons(message)["Отложить на 1 ч"])
    poller.run_once()
    alert = Alert.objects.get(rule="KodeksTcpStatus")
    assert timedelta(minutes=59) < alert.snoozed_until - before < timedelta(minutes=61)
    assert alert.acknowledged_at is None
    [edited] = telegram.messages(CHAT)
    assert list(buttons(edited)) == ["Принять"] and "Отложено до" in edited["text"]
    assert answers(telegram)[0]["text"] == "Отложено на 1 час"


def test_a_press_in_another_chat_cannot_act_on_this_chat_alerts(message, dealer, telegram, poller):
    """A modified client can send any callback data; the data of chat A's message, sent from chat B
    (where the bot also posts), is refused."""
    other = "-100888"
    Route.objects.create(dealer=dealer, name="other", channel=Channel.TELEGRAM, target=other, max_priority="P2")
    from smart.notify.transports.telegram import TelegramClient

    with TelegramClient() as client:
        own = client.send_message(other, "another message of the bot")
    telegram.user_presses(other, own, buttons(message)["Принять"])
    poller.run_once()
    assert Alert.objects.get(rule="KodeksTcpStatus").acknowledged_at is None
    [answer] = answers(telegram)
    assert answer["answered"] and answer["show_alert"] and "не относится к этому чату" in answer["text"]
    assert telegram.messages(CHAT)[0]["edited_at"] is None


def test_forged_button_data_is_refused(message, telegram, poller):
    n = notification(Channel.TELEGRAM)
    genuine = callback_data("ack", n.pk)
    for forged in (genuine[:-1] + ("0" if genuine[-1] != "0" else "1"), f"a:{n.pk}", "ack:1", "x" * 64):
        telegram.user_presses(CHAT, message["message_id"], forged)
    assert poller.run_once() == 4
    assert Alert.objects.get(rule="KodeksTcpStatus").acknowledged_at is None
    assert all(a["answered"] and a["show_alert"] for a in answers(telegram))


def test_english_notification_gets_english_buttons(fired, chat_route, telegram, poller):
    chat_route.language = "en"
    chat_route.save()
    deliver(fired[1])
    [sent] = telegram.messages(CHAT)
    assert list(buttons(sent)) == ["Acknowledge", "Snooze 1 h"]
    telegram.user_presses(CHAT, sent["message_id"], buttons(sent)["Acknowledge"], user_id=5)
    poller.run_once()
    assert answers(telegram)[0]["text"] == "Acknowledged"
    assert "Acknowledged by User 5" in telegram.messages(CHAT)[0]["text"]


def test_resolved_messages_have_no_buttons(fired, chat_route, telegram):
    from .conftest import fail_tcp

    deliver(fired[1])
    fail_tcp([fired[0]], fired[1] + timedelta(minutes=1), minutes=1, ok=True)
    import time

    time.sleep(1.1)  # the chat's budget: one message a second
    deliver(fired[1] + timedelta(minutes=2))
    firing, resolved = telegram.messages(CHAT)
    assert "RESOLVED" in resolved["text"] and resolved["reply_markup"] is None
    assert firing["reply_markup"] is not None
