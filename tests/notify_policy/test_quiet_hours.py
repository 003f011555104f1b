"""Quiet hours in the dealer's own zone (D §1.2): a P2 in Telegram waits for 07:30 unless the dealer opted
in to night delivery; its e-mail goes at once; a P1 goes at once, day or night. What was acknowledged or
resolved overnight is not sent to the chat at 07:30 (neither its FIRING nor its RESOLVED)."""
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from smart.alerts import actions
from smart.alerts.models import Alert
from smart.notify.models import Channel, Notification, NotifyPolicy
from tests.notify_interact.conftest import links

from .conftest import MOSCOW, VLADIVOSTOK, deliver, drain, fire, local, resolve

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def press(url: str) -> None:
    """Open an e-mail's action link and press the confirmation page's button, as a person does."""
    path = url[len(settings.SMART_BASE_URL.rstrip("/")):]
    client = Client(enforce_csrf_checks=True)
    token = CSRF.search(client.get(path).content.decode()).group(1)
    assert client.post(path, {"csrfmiddlewaretoken": token}).status_code == 200


def test_p2_at_23_in_vladivostok_waits_for_its_morning_while_moscow_gets_it_at_once(moscow, vladivostok, sink,
                                                                                     telegram):
    now = local(VLADIVOSTOK, 2025, 3, 4, 23, 0)  # 16:00 in Moscow
    fire("KodeksLicenseExpiring7day", "P2", vladivostok, now)
    fire("KodeksLicenseExpiring7day", "P2", moscow, now)
    deliver(now)

    assert sorted(m.to for m in sink.wait_for(2)) == ["duty@vlad.ru", "tech@dealer.ru"]  # e-mail: never held
    assert len(telegram.messages("-100700")) == 1  # Moscow's afternoon
    assert telegram.messages("-100900") == []
    held = Notification.objects.get(channel=Channel.TELEGRAM, target="-100900")
    assert held.not_before == local(VLADIVOSTOK, 2025, 3, 5, 7, 30)

    another = fire("KodeksLicenseExpiring7day", "P2", vladivostok, now + timedelta(hours=2),
                   key=f"i{vladivostok.id}|b")
    deliver(another.fired_at)
    assert telegram.messages("-100900") == []
    assert drain(local(VLADIVOSTOK, 2025, 3, 5, 7, 29)) == 0
    assert drain(local(VLADIVOSTOK, 2025, 3, 5, 7, 30)) == 1  # the night's two instances in one message
    morning = telegram.messages("-100900")
    assert len(morning) == 1 and "FIRING" in morning[0]["text"] and morning[0]["text"].count("•") == 2


def test_night_delivery_opt_in_sends_p2_to_telegram_at_night(vladivostok, sink, telegram):
    NotifyPolicy.objects.filter(dealer_id=vladivostok.dealer_id).update(night_delivery=True)
    now = local(VLADIVOSTOK, 2025, 3, 4, 23, 0)
    fire("KodeksLicenseExpiring7day", "P2", vladivostok, now)
    deliver(now)
    assert len(telegram.messages("-100900")) == 1
    assert len(sink.wait_for(1)) == 1


def test_p1_at_3_in_the_morning_goes_at_once(moscow, sink, telegram):
    now = local(MOSCOW, 2025, 3, 5, 3, 0)
    fire("KodeksXmlSensLockStatus", "P1", moscow, now)
    assert deliver(now) == 2
    assert [m.subject for m in sink.wait_for(1)] == ["[FIRING:1] KodeksXmlSensLockStatus"]
    assert "FIRING" in telegram.messages("-100700")[0]["text"]


def test_a_p2_resolved_at_night_is_never_told_to_the_chat(moscow, sink, telegram):
    start = local(MOSCOW, 2025, 3, 4, 23, 0)
    alert = fire("KodeksLicenseExpiring7day", "P2", moscow, start)
    deliver(start)
    resolve(alert, start + timedelta(hours=1))
    deliver(start + timedelta(hours=1))
    assert telegram.messages("-100700") == []
    assert [m.subject for m in sink.wait_for(2)] == ["[FIRING:1] KodeksLicenseExpiring7day",
                                                       "[RESOLVED:1] KodeksLicenseExpiring7day"]
    assert drain(local(MOSCOW, 2025, 3, 5, 7, 30)) == 0  # the chat never saw it: neither FIRING nor RESOLVED
    assert telegram.messages("-100700") == []
    assert not Notification.objects.filter(channel=Channel.TELEGRAM).exists()


def test_a_p2_acknowledged_at_night_from_its_email_is_not_sent_to_the_chat_at_0730(moscow, sink, telegram):
    start = local(MOSCOW, 2025, 3, 4, 23, 0)
    fire("KodeksLicenseExpiring7day", "P2", moscow, start)
    other = fire("KodeksLicenseExpiring7day", "P2", moscow, start, key=f"i{moscow.id}|b")
    deliver(start)
    [mail] = sink.wait_for(1)
    assert mail.subject == "[FIRING:2] KodeksLicenseExpiring7day"
    press(links(mail.text)["Принять"])  # acknowledges both instances of the message
    assert Alert.objects.filter(acknowledged_at__isnull=False).count() == 2
    assert drain(local(MOSCOW, 2025, 3, 5, 7, 30)) == 0
    assert telegram.messages("-100700") == []

    other.refresh_from_db()
    resolve(other, local(MOSCOW, 2025, 3, 5, 9, 0))  # its RESOLVED: the chat was never told it fired
    deliver(local(MOSCOW, 2025, 3, 5, 9, 0))
    assert telegram.messages("-100700") == []
    assert [m.subject for m in sink.wait_for(2)][1] == "[RESOLVED:1] KodeksLicenseExpiring7day"


def test_a_held_message_keeps_the_instances_nobody_answered(moscow, sink, telegram):
    start = local(MOSCOW, 2025, 3, 4, 23, 0)
    answered = fire("KodeksLicenseExpiring7day", "P2", moscow, start)
    fire("KodeksLicenseExpiring7day", "P2", moscow, start, key=f"i{moscow.id}|b")
    gone = fire("KodeksLicenseExpiring7day", "P2", moscow, start, key=f"i{moscow.id}|c")
    deliver(start)
    actions.acknowledge(answered, via="ui", now=start + timedelta(hours=2))
    resolve(gone, start + timedelta(hours=3))
    deliver(start + timedelta(hours=3))
    assert drain(local(MOSCOW, 2025, 3, 5, 7, 30)) == 1
    [morning] = telegram.messages("-100700")
    assert morning["text"].startswith("<b>FIRING</b>") and morning["text"].count("•") == 1
    assert f"on {moscow.name}" in morning["text"]


def test_telegram_carries_only_what_the_catalogue_lists_for_it(moscow, sink, telegram):
    now = local(MOSCOW, 2025, 3, 4, 12, 0)
    fire("KodeksDiskSpaceLow", "P3", moscow, now)  # e-mail only in the catalogue
    fire("OnlineBillingDocsLeft150", "P3", moscow, now)  # online billing: e-mail and Telegram (D §1.2)
    deliver(now)
    assert {m.subject for m in sink.wait_for(2)} == {"[FIRING:1] KodeksDiskSpaceLow",
                                                     "[FIRING:1] OnlineBillingDocsLeft150"}
    chat = telegram.messages("-100700")
    assert len(chat) == 1 and "OnlineBillingDocsLeft150" in chat[0]["text"]
