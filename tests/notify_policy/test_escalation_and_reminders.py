"""Escalation of an unacknowledged P1 to the dealer's second contact, and the morning reminder of what
was snoozed or left over the night (R-C4, AL-4, case 4 "Wake them at night or not?")."""
from datetime import timedelta

import pytest

from smart.alerts.models import Alert
from smart.notify.models import Channel, Notification, NotifyPolicy
from smart.notify.reminders import run_reminders

from .conftest import MOSCOW, VLADIVOSTOK, deliver, drain, fire, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(dealer):
    """The Moscow dealer escalates to its head by e-mail after the default 30 minutes."""
    return NotifyPolicy.objects.create(dealer=dealer, escalate_to="head@dealer.ru")


def kinds_at(now) -> list[str]:
    run_reminders(now)
    drain(now)
    return sorted(Notification.objects.filter(created_at=now).values_list("kind", flat=True))


def test_a_day_p1_escalates_after_30_minutes_once(moscow, head, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 5, 14, 0)
    fire("KodeksXmlSensLockStatus", "P1", moscow, fired)
    deliver(fired)
    assert kinds_at(fired + timedelta(minutes=29)) == []
    assert kinds_at(fired + timedelta(minutes=30)) == ["escalation"]
    escalated = [m for m in sink.wait_for(2) if m.to == "head@dealer.ru"]
    assert len(escalated) == 1 and escalated[0].subject == "[FIRING:1] KodeksXmlSensLockStatus"
    assert "Эскалация: тревога активна с 2025-03-05 14:00" in escalated[0].text
    assert Alert.objects.get().escalated_at == fired + timedelta(minutes=30)
    assert kinds_at(fired + timedelta(minutes=60)) == ["renotify", "renotify"]  # no second escalation
    assert kinds_at(fired + timedelta(minutes=150)) == ["renotify", "renotify"]


def test_a_night_p1_escalates_at_0730_not_at_night(moscow, head, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 5, 3, 0)
    fire("KodeksXmlSensLockStatus", "P1", moscow, fired)
    deliver(fired)
    assert len(telegram.messages("-100700")) == 1  # P1: at once, at night too
    assert kinds_at(fired + timedelta(minutes=30)) == []
    assert kinds_at(fired + timedelta(minutes=60)) == ["renotify", "renotify"]
    assert kinds_at(local(MOSCOW, 2025, 3, 5, 7, 0)) == ["renotify", "renotify"]  # 04:00-06:00 not made up
    assert kinds_at(local(MOSCOW, 2025, 3, 5, 7, 29)) == []
    # start of the business day: the escalation, and the P1's "once more at 07:30" to its own routes
    assert kinds_at(local(MOSCOW, 2025, 3, 5, 7, 30)) == ["escalation", "reminder", "reminder"]
    assert [m.to for m in sink.messages() if "Эскалация" in m.text] == ["head@dealer.ru"]
    assert "Утреннее напоминание" in telegram.messages("-100700")[-1]["text"]


def test_no_escalation_or_renotify_after_acknowledgement(moscow, head, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 5, 14, 0)
    alert = fire("KodeksXmlSensLockStatus", "P1", moscow, fired)
    deliver(fired)
    Alert.objects.filter(pk=alert.pk).update(acknowledged_at=fired + timedelta(minutes=12), tta_s=720)
    for minutes in (30, 60, 120, 600):
        assert run_reminders(fired + timedelta(minutes=minutes)) == 0
    assert [m.to for m in sink.messages()] == ["tech@dealer.ru"]
    assert Alert.objects.get().escalated_at is None


def test_escalation_by_telegram_in_the_dealers_zone(vladivostok, sink, telegram):
    NotifyPolicy.objects.filter(dealer_id=vladivostok.dealer_id).update(
        escalate_channel=Channel.TELEGRAM, escalate_to="-100999", escalate_after_s=600)
    fired = local(VLADIVOSTOK, 2025, 3, 5, 21, 55)  # due at 22:05 Vladivostok: in quiet hours
    fire("KodeksXmlSensLockStatus", "P1", vladivostok, fired)
    deliver(fired)
    assert kinds_at(fired + timedelta(minutes=10)) == []
    assert kinds_at(local(VLADIVOSTOK, 2025, 3, 6, 7, 30))[0] == "escalation"
    assert "Эскалация" in telegram.messages("-100999")[0]["text"]


def test_a_snooze_holds_renotify_and_then_the_morning_reminder_comes(moscow, head, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 5, 1, 0)
    alert = fire("KodeksXmlSensLockStatus", "P1", moscow, fired)
    deliver(fired)
    Alert.objects.filter(pk=alert.pk).update(snoozed_until=local(MOSCOW, 2025, 3, 5, 7, 30))  # "until morning"
    for hours in range(1, 7):
        assert run_reminders(fired + timedelta(hours=hours, minutes=15)) == 0
    # the reminder stands for the re-notify round it falls in; escalation waits 30 min more
    assert kinds_at(local(MOSCOW, 2025, 3, 5, 7, 30)) == ["reminder", "reminder"]
    assert sum("Утреннее напоминание: тревога сработала ночью" in m.text for m in sink.messages()) == 1
    assert kinds_at(local(MOSCOW, 2025, 3, 5, 7, 59)) == []
    assert kinds_at(local(MOSCOW, 2025, 3, 5, 8, 0)) == ["escalation", "renotify", "renotify"]
    assert kinds_at(local(MOSCOW, 2025, 3, 5, 10, 0)) == ["renotify", "renotify"]  # one reminder a day
    assert Notification.objects.filter(kind="reminder").count() == 2


def test_a_snooze_past_the_morning_moves_the_reminder_to_its_end(moscow, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 4, 21, 0)
    alert = fire("KodeksLicenseExpiring7day", "P2", moscow, fired)
    deliver(fired)
    Alert.objects.filter(pk=alert.pk).update(snoozed_until=local(MOSCOW, 2025, 3, 5, 9, 0))
    assert kinds_at(local(MOSCOW, 2025, 3, 5, 7, 30)) == []
    assert kinds_at(local(MOSCOW, 2025, 3, 5, 9, 0)) == ["reminder", "reminder"]
    assert "Утреннее напоминание" in telegram.messages("-100700")[-1]["text"]  # 09:00: Telegram is awake


def test_no_reminder_for_a_p2_nobody_snoozed_or_acknowledged(moscow, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 4, 23, 0)
    fire("KodeksLicenseExpiring7day", "P2", moscow, fired)
    deliver(fired)
    assert kinds_at(local(MOSCOW, 2025, 3, 5, 7, 30)) == []
    assert drain(local(MOSCOW, 2025, 3, 5, 7, 30)) == 0  # the held FIRING went out with the morning already
    assert len(telegram.messages("-100700")) == 1


def test_no_reminder_for_a_p1_acknowledged_the_day_before(moscow, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 4, 14, 0)
    alert = fire("KodeksXmlSensLockStatus", "P1", moscow, fired)
    deliver(fired)
    Alert.objects.filter(pk=alert.pk).update(acknowledged_at=fired + timedelta(minutes=5))
    assert kinds_at(local(MOSCOW, 2025, 3, 5, 7, 30)) == []
