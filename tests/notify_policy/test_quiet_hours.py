"""Quiet hours in the dealer's own zone (D §1.2): a P2 in Telegram waits for 07:30 unless the dealer opted
in to night delivery; its e-mail goes at once; a P1 goes at once, day or night."""
from datetime import timedelta

import pytest

from smart.notify.models import Channel, Notification, NotifyPolicy

from .conftest import MOSCOW, VLADIVOSTOK, deliver, drain, fire, local, resolve

pytestmark = pytest.mark.django_db


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


def test_a_p2_resolved_at_night_waits_with_its_firing(moscow, sink, telegram):
    start = local(MOSCOW, 2025, 3, 4, 23, 0)
    alert = fire("KodeksLicenseExpiring7day", "P2", moscow, start)
    deliver(start)
    resolve(alert, start + timedelta(hours=1))
    deliver(start + timedelta(hours=1))
    assert telegram.messages("-100700") == []
    assert [m.subject for m in sink.wait_for(2)] == ["[FIRING:1] KodeksLicenseExpiring7day",
                                                       "[RESOLVED:1] KodeksLicenseExpiring7day"]
    assert drain(local(MOSCOW, 2025, 3, 5, 7, 30)) == 2
    texts = [m["text"] for m in telegram.messages("-100700")]
    assert texts[0].startswith("<b>FIRING</b>") and texts[1].startswith("<b>RESOLVED</b>")


def test_telegram_carries_only_what_the_catalogue_lists_for_it(moscow, sink, telegram):
    now = local(MOSCOW, 2025, 3, 4, 12, 0)
    fire("KodeksDiskSpaceLow", "P3", moscow, now)  # e-mail only in the catalogue
    fire("OnlineBillingDocsLeft150", "P3", moscow, now)  # online billing: e-mail and Telegram (D §1.2)
    deliver(now)
    assert {m.subject for m in sink.wait_for(2)} == {"[FIRING:1] KodeksDiskSpaceLow",
                                                     "[FIRING:1] OnlineBillingDocsLeft150"}
    chat = telegram.messages("-100700")
    assert len(chat) == 1 and "OnlineBillingDocsLeft150" in chat[0]["text"]
