"""Exactly-once delivery around a notifier that dies mid-send: `send_started_at` is committed before
the transport call, a takeover of such a row is "in doubt" and sends again: e-mail with the same
Message-ID (one message to the sink, the repeat reported as a duplicate), Telegram with a note."""
import threading
from datetime import timedelta

import pytest
from django.db import connection

from smart.notify.models import Channel, Notification
from smart.notify.outbox import route_pending
from smart.notify.sender import lease, message_id, send_due
from smart.notify.transports import email as email_transport
from smart.notify.transports import telegram as telegram_transport

from .conftest import CHAT, notification

pytestmark = pytest.mark.django_db


class Died(BaseException):
    """The notifier's process ending in the middle of a send: like SIGKILL, no except clause sees it."""


def die_after(monkeypatch, module, name):
    real = getattr(module, name)

    def sent_then_died(*args, **kwargs):
        real(*args, **kwargs)
        raise Died

    monkeypatch.setattr(module, name, sent_then_died)


def die_before(monkeypatch, module, name):
    def died(*args, **kwargs):
        raise Died

    monkeypatch.setattr(module, name, died)


def first_attempt_dies(now, channel: str) -> Notification:
    route_pending(now)
    with pytest.raises(Died):
        send_due(now + timedelta(seconds=3))
    row = notification(channel)
    assert row.state == Notification.State.QUEUED and row.send_started_at is not None and not row.in_doubt
    return row


def test_died_after_the_mail_was_accepted_one_message_in_the_sink(fired, mail_route, sink, monkeypatch):
    now = fired[1]
    die_after(monkeypatch, email_transport, "send_email")
    row = first_attempt_dies(now, Channel.EMAIL)
    monkeypatch.undo()
    assert send_due(now + timedelta(minutes=1)) == 0  # the dead notifier's lease still holds
    assert send_due(now + timedelta(seconds=4) + lease()) == 1
    row.refresh_from_db()
    assert row.state == Notification.State.SENT and row.in_doubt and row.external_id == message_id(row)
    copies = sink.wait_for(2)
    assert {m.message_id for m in copies} == {message_id(row)}
    assert len(sink.unique_messages()) == 1 and sink.duplicates() == {message_id(row): 2}
    assert send_due(now + timedelta(hours=1)) == 0


def test_died_before_the_mail_left_exactly_one_copy(fired, mail_route, sink, monkeypatch):
    now = fired[1]
    die_before(monkeypatch, email_transport, "send_email")
    row = first_attempt_dies(now, Channel.EMAIL)
    monkeypatch.undo()
    assert send_due(now + timedelta(seconds=4) + lease()) == 1
    row.refresh_from_db()
    assert row.state == Notification.State.SENT and row.in_doubt  # we could not know it had not left
    [mail] = sink.wait_for(1)
    assert mail.message_id == message_id(row) and sink.duplicates() == {}


def test_died_after_telegram_took_the_message_it_is_sent_again_marked(fired, chat_route, telegram, monkeypatch):
    now = fired[1]
    die_after(monkeypatch, telegram_transport.TelegramClient, "send_message")
    row = first_attempt_dies(now, Channel.TELEGRAM)
    monkeypatch.undo()
    import time

    time.sleep(1.1)  # the chat's budget: one message a second
    assert send_due(now + timedelta(seconds=4) + lease()) == 1
    row.refresh_from_db()
    assert row.state == Notification.State.SENT and row.in_doubt
    first, repeat = telegram.messages(CHAT)
    assert "повтор" not in first["text"]
    assert "Возможно, это повтор сообщения" in repeat["text"] and repeat["reply_markup"] == first["reply_markup"]
    assert row.external_id == str(repeat["message_id"])


def test_a_lost_smtp_reply_is_in_doubt_and_resent_with_the_same_message_id(fired, mail_route, sink):
    now = fired[1]
    sink.set_fault("lose_reply")
    route_pending(now)
    assert send_due(now + timedelta(seconds=3)) == 0
    row = notification(Channel.EMAIL)
    assert row.attempts == 1 and row.send_started_at is not None  # the outcome is unknown: kept
    sink.set_fault("lose_reply", False)
    assert send_due(row.not_before) == 1
    row.refresh_from_db()
    assert row.in_doubt and row.state == Notification.State.SENT
    assert len(sink.unique_messages()) == 1 and sink.duplicates() == {message_id(row): 2}


@pytest.mark.parametrize("fault", ["refuse_all", "disconnect", "down"])
def test_a_refused_attempt_is_not_in_doubt(fired, mail_route, sink, fault):
    now = fired[1]
    sink.set_fault(fault)
    route_pending(now)
    assert send_due(now + timedelta(seconds=3)) == 0
    row = notification(Channel.EMAIL)
    assert row.attempts == 1 and row.send_started_at is None and row.last_error
    sink.set_fault(fault, False)
    assert send_due(row.not_before) == 1
    row.refresh_from_db()
    assert not row.in_doubt and len(sink.wait_for(1)) == 1


def test_the_message_id_is_the_same_for_every_attempt_and_differs_between_notifications(fired, dealer, mail_route):
    route_pending(fired[1])
    row = notification(Channel.EMAIL)
    assert message_id(row) == message_id(Notification.objects.get(pk=row.pk))
    assert message_id(row).startswith(f"<smart.n{row.pk}.") and message_id(row).endswith("@smart.local>")
    other = Notification.objects.create(dealer=dealer, channel=Channel.EMAIL, target="x@y.ru", rule="X",
                                        new_state="firing", created_at=row.created_at, not_before=row.not_before)
    assert message_id(other) != message_id(row)


@pytest.mark.django_db(transaction=True)
def test_send_started_at_is_committed_before_the_transport_is_called(fired, mail_route, sink, monkeypatch):
    seen = {}
    real = email_transport.send_email

    def look_from_another_connection(*args, **kwargs):
        def read():
            seen["started"] = Notification.objects.values_list("send_started_at", flat=True).get()
            connection.close()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
        return real(*args, **kwargs)

    monkeypatch.setattr(email_transport, "send_email", look_from_another_connection)
    route_pending(fired[1])
    assert send_due(fired[1] + timedelta(seconds=3)) == 1
    assert seen["started"] is not None
    assert notification(Channel.EMAIL).state == Notification.State.SENT
