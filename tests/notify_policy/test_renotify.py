"""Re-notify while firing, unacknowledged and not snoozed (D §1.2): P1 hourly, P2 daily, P3 at most once a
day, P4 never; each round is one message per target, carrying the alert's FIRING flip."""
from datetime import timedelta

import pytest

from smart.alerts.models import Alert
from smart.notify.models import Notification
from smart.notify.reminders import run_reminders

from .conftest import MOSCOW, deliver, drain, fire, local, resolve

pytestmark = pytest.mark.django_db


def follow_up(now) -> int:
    """The follow-up pass, then everything due sent."""
    queued = run_reminders(now)
    drain(now)
    return queued


def test_p1_is_renotified_every_hour_until_acknowledged(moscow, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 5, 3, 0)
    alert = fire("KodeksXmlSensLockStatus", "P1", moscow, fired)
    deliver(fired)
    assert follow_up(fired + timedelta(minutes=59)) == 0
    assert follow_up(fired + timedelta(minutes=60)) == 2  # the mail and the chat
    assert follow_up(fired + timedelta(minutes=90)) == 0
    renotified = [m for m in sink.wait_for(2) if "Тревога активна с 2025-03-05 03:00" in m.text]
    assert len(renotified) == 1 and renotified[0].subject == "[FIRING:1] KodeksXmlSensLockStatus"
    chat = telegram.messages("-100700")
    assert len(chat) == 2 and "Тревога активна с" in chat[1]["text"]
    renotify = Notification.objects.get(kind="renotify", channel="email")
    assert list(renotify.flips.values_list("alert_id", "new_state")) == [(alert.id, "firing")]

    assert follow_up(fired + timedelta(minutes=121)) == 2  # the second hour
    Alert.objects.filter(pk=alert.pk).update(acknowledged_at=fired + timedelta(minutes=130))
    for minutes in (180, 240, 269):
        assert follow_up(fired + timedelta(minutes=minutes)) == 0
    assert Notification.objects.filter(kind="renotify").count() == 4
    # acknowledged at night and still firing: the morning reminder at 07:30 (case 4), nothing else
    assert follow_up(local(MOSCOW, 2025, 3, 5, 7, 30)) == 2
    assert set(Notification.objects.filter(created_at__gt=fired + timedelta(minutes=269))
               .values_list("kind", flat=True)) == {"reminder"}
    assert follow_up(local(MOSCOW, 2025, 3, 5, 9, 0)) == 0


def test_p2_is_renotified_daily(moscow, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 4, 10, 0)
    fire("KodeksLicenseExpiring7day", "P2", moscow, fired)
    deliver(fired)
    for hours in (1, 6, 12, 23):
        assert follow_up(fired + timedelta(hours=hours)) == 0
    assert follow_up(fired + timedelta(hours=24)) == 2
    assert follow_up(fired + timedelta(hours=30)) == 0
    assert sum("Тревога активна с" in m.text for m in sink.wait_for(2)) == 1


def test_p3_is_renotified_at_most_once_a_day_and_by_mail_only(moscow, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 4, 10, 0)
    fire("KodeksDiskSpaceLow", "P3", moscow, fired)
    deliver(fired)
    queued_per_day = {}
    now = fired
    while now < fired + timedelta(days=3):
        now += timedelta(minutes=30)
        day = (now - fired).days
        queued_per_day[day] = queued_per_day.get(day, 0) + run_reminders(now)
    assert queued_per_day == {0: 0, 1: 1, 2: 1, 3: 1}  # one mail a day from the first full day
    assert telegram.messages("-100700") == []
    assert set(Notification.objects.values_list("channel", flat=True)) == {"email"}


def test_p4_is_never_renotified(moscow, sink):
    fired = local(MOSCOW, 2025, 3, 4, 10, 0)
    fire("KodeksNewUser", "P4", moscow, fired)
    route = deliver(fired)
    assert route == 0
    for days in (1, 2, 5):
        assert run_reminders(fired + timedelta(days=days)) == 0
    assert not Notification.objects.filter(kind="renotify").exists()


def test_a_resolved_alert_is_not_renotified(moscow, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 4, 10, 0)
    alert = fire("KodeksXmlSensLockStatus", "P1", moscow, fired)
    deliver(fired)
    resolve(alert, fired + timedelta(minutes=30))
    deliver(fired + timedelta(minutes=30))
    assert run_reminders(fired + timedelta(hours=2)) == 0


def test_a_held_renotify_is_withdrawn_when_the_alert_resolves_before_morning(moscow, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 3, 23, 0)
    alert = fire("KodeksLicenseExpiring7day", "P2", moscow, fired)
    deliver(fired)
    drain(local(MOSCOW, 2025, 3, 4, 7, 30))  # the held FIRING
    assert run_reminders(local(MOSCOW, 2025, 3, 4, 23, 0)) == 2  # the daily round: the chat's waits for 07:30
    drain(local(MOSCOW, 2025, 3, 4, 23, 0))
    resolve(alert, local(MOSCOW, 2025, 3, 5, 5, 0))
    deliver(local(MOSCOW, 2025, 3, 5, 5, 0))
    run_reminders(local(MOSCOW, 2025, 3, 5, 7, 0))
    drain(local(MOSCOW, 2025, 3, 5, 7, 30))
    texts = [m["text"] for m in telegram.messages("-100700")]
    assert len(texts) == 2 and "RESOLVED" in texts[1] and not any("Тревога активна с" in t for t in texts)
    assert [m.subject.split("]")[0] for m in sink.messages()] == ["[FIRING:1", "[FIRING:1", "[RESOLVED:1"]
    assert not Notification.objects.filter(state=Notification.State.QUEUED).exists()
