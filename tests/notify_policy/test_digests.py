"""Digests instead of one message per flip: the daily P4 e-mail (D §1.2), a closed network's historical
backlog (D §4 E8), and a Telegram chat's backlog over its budget merged by alert name (D §1.3 #7)."""
from datetime import timedelta

import pytest

from smart.alerts.models import Flip
from smart.notify.digest import merge_backlogs
from smart.notify.models import Channel, Notification, Route
from smart.notify.outbox import route_pending

from .conftest import MOSCOW, deliver, drain, fire, local, resolve

pytestmark = pytest.mark.django_db


def test_p4_goes_out_as_one_daily_email_per_alert_name_at_0730(moscow, fleet, sink, telegram):
    day = local(MOSCOW, 2025, 3, 4, 10, 0)
    first = fire("KodeksNewUser", "P4", moscow, day)
    deliver(day)
    fire("KodeksNewUser", "P4", fleet[0][1], day + timedelta(hours=5))
    deliver(day + timedelta(hours=5))
    resolve(first, day + timedelta(hours=6))
    deliver(day + timedelta(hours=6))
    fire("KodeksNewUser", "P4", fleet[0][2], day + timedelta(hours=13))  # 23:00
    deliver(day + timedelta(hours=13))
    assert sink.messages() == [] and telegram.messages("-100700") == []

    assert drain(local(MOSCOW, 2025, 3, 5, 7, 29)) == 0
    assert drain(local(MOSCOW, 2025, 3, 5, 7, 30)) == 2
    mails = {m.subject: m for m in sink.wait_for(2)}
    assert set(mails) == {"[FIRING:3] KodeksNewUser", "[RESOLVED:1] KodeksNewUser"}
    assert "Ежедневная сводка: 3 тревоги с момента предыдущей сводки." in mails["[FIRING:3] KodeksNewUser"].text
    assert telegram.messages("-100700") == []  # P4 never goes to Telegram

    fire("KodeksNewUser", "P4", fleet[0][3], local(MOSCOW, 2025, 3, 5, 7, 31))
    deliver(local(MOSCOW, 2025, 3, 5, 7, 31))
    later = Notification.objects.get(state=Notification.State.QUEUED)
    assert later.kind == "daily" and later.not_before == local(MOSCOW, 2025, 3, 6, 7, 30)


def test_a_historical_backlog_is_one_digest_and_no_live_messages(moscow, fleet, sink, telegram):
    reported = local(MOSCOW, 2025, 2, 10, 9, 0)  # weeks-old reports carried out of a closed network
    tcp = fire("KodeksXmlSensLockStatus", "P1", moscow, reported, historical=True)
    fire("KodeksXmlSensLockStatus", "P1", fleet[0][1], reported, historical=True)
    fire("KodeksDiskSpaceLow", "P3", fleet[0][1], reported + timedelta(hours=1), historical=True)
    resolve(tcp, reported + timedelta(hours=2))
    now = local(MOSCOW, 2025, 3, 4, 12, 0)
    assert route_pending(now) == 4
    assert drain(now + timedelta(seconds=57)) == 0  # the batch may still grow
    fire("KodeksNewUser", "P4", fleet[0][2], reported + timedelta(hours=3), historical=True)
    route_pending(now + timedelta(seconds=30))
    assert drain(now + timedelta(seconds=87)) == 1  # the chat's batch: the P4 flip did not join it
    assert sink.messages() == []
    assert drain(now + timedelta(seconds=90)) == 1  # the mail's: a minute after its last flip

    assert not Notification.objects.exclude(kind="historical").exists()
    (mail,) = sink.wait_for(1)
    assert mail.subject == "[FIRING:4] SmartHistoricalDigest"
    assert "Историческая сводка по накопившимся отчётам: 4 тревоги, объектов: 3" in mail.text
    assert "KodeksXmlSensLockStatus ×2" in mail.text and "KodeksNewUser ×1" in mail.text
    chat = telegram.messages("-100700")  # Telegram: only what it carries (no P3 disk, no P4)
    assert len(chat) == 1 and "Историческая сводка" in chat[0]["text"] and "3 тревоги" not in chat[0]["text"]
    assert "2 тревоги, объектов: 2 (KodeksXmlSensLockStatus ×2)" in chat[0]["text"]
    assert Notification.objects.get(channel=Channel.EMAIL).flips.count() == 5  # 4 FIRING + 1 RESOLVED

    fire("KodeksDiskSpaceLow", "P3", fleet[0][5], reported, historical=True)  # the next visit's backlog
    route_pending(now + timedelta(hours=1))
    assert drain(now + timedelta(hours=1, minutes=1)) == 1
    assert sink.wait_for(2)[-1].subject == "[FIRING:1] KodeksDiskSpaceLow"


def test_a_chat_backlog_over_its_budget_is_merged_by_alert_name(dealer, fleet, telegram):
    Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target="-100800")
    start = local(MOSCOW, 2025, 3, 4, 12, 0)
    installation = fleet[0][0]
    for n in range(22):  # 3 s apart: past the grouping wait, so 22 messages of one alert
        at = start + timedelta(seconds=3 * n)
        fire("KodeksXmlSensLockStatus", "P1", installation, at, key=f"i{installation.id}|n{n}")
        route_pending(at)
    fire("KodeksOfflineSensLockCheck", "P1", installation, start, key=f"i{installation.id}|other")
    route_pending(start + timedelta(seconds=66))
    now = start + timedelta(seconds=70)
    queued = Notification.objects.filter(state=Notification.State.QUEUED)
    assert queued.count() == 23
    flips = set(Flip.objects.values_list("id", flat=True))

    assert merge_backlogs(now) == 21
    assert queued.count() == 2
    assert set(Flip.objects.filter(notifications__isnull=False).values_list("id", flat=True)) == flips  # none lost
    digest = Notification.objects.get(kind="digest")
    assert digest.rule == "KodeksXmlSensLockStatus" and digest.flips.count() == 22
    assert merge_backlogs(now) == 0  # under budget now

    assert drain(now) == 2
    texts = [m["text"] for m in telegram.messages("-100800")]
    assert len(texts) == 2
    merged = next(t for t in texts if "KodeksXmlSensLockStatus" in t)
    assert "объединены в одно (22 тревоги)" in merged and merged.count("•") == 22
    assert drain(now + timedelta(minutes=5)) == 0


def test_a_backlog_within_budget_is_left_alone(dealer, fleet, telegram):
    Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target="-100801")
    start = local(MOSCOW, 2025, 3, 4, 12, 0)
    installation = fleet[0][0]
    for n in range(20):
        at = start + timedelta(seconds=3 * n)
        fire("KodeksXmlSensLockStatus", "P1", installation, at, key=f"i{installation.id}|n{n}")
        route_pending(at)
    assert merge_backlogs(start + timedelta(seconds=70)) == 0
    assert Notification.objects.filter(kind="alert").count() == 20
