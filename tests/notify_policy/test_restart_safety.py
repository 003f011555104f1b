"""Follow-ups are queued once, whatever runs them: the pass twice, a restarted notifier, several notifiers
at the same moment, or an alert whose marks were lost (the dedupe keys still hold)."""
import threading
from datetime import timedelta

import pytest
from django.db import connection

from smart.alerts.models import Alert
from smart.notify.models import Notification, NotifyPolicy
from smart.notify.reminders import run_reminders
from smart.notify.worker import Notifier

from .conftest import MOSCOW, deliver, drain, fire, local


def still_firing_mails(sink) -> list:
    return [m for m in sink.messages() if "Тревога активна с" in m.text]


@pytest.mark.django_db(transaction=True)  # the notifier closes a connection left inside a transaction
def test_twice_or_after_a_restart_one_round_is_one_message(moscow, sink, telegram):
    fired = local(MOSCOW, 2025, 3, 5, 14, 0)
    fire("KodeksXmlSensLockStatus", "P1", moscow, fired)
    deliver(fired)
    now = fired + timedelta(minutes=61)
    assert run_reminders(now) == 2
    assert run_reminders(now) == 0
    queued = Notification.objects.count()
    Notifier().run_once(now)  # a restarted notifier: its follow-up pass finds the round done, sends it
    Notifier().run_once(now + timedelta(seconds=1))
    assert Notification.objects.count() == queued
    drain(now + timedelta(seconds=2))
    assert len(still_firing_mails(sink)) == 1
    assert sum("Тревога активна с" in m["text"] for m in telegram.messages("-100700")) == 1


@pytest.mark.django_db
def test_the_dedupe_keys_hold_when_the_alerts_marks_are_lost(moscow, sink):
    fired = local(MOSCOW, 2025, 3, 5, 14, 0)
    alert = fire("KodeksXmlSensLockStatus", "P1", moscow, fired)
    deliver(fired)
    assert run_reminders(fired + timedelta(minutes=61)) == 2
    Alert.objects.filter(pk=alert.pk).update(last_notified_at=None)
    assert run_reminders(fired + timedelta(minutes=70)) == 0  # the same round: its keys exist
    assert Alert.objects.get().last_notified_at is None  # and the claim was rolled back with them
    assert run_reminders(fired + timedelta(minutes=121)) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_notifiers_queue_each_follow_up_once(dealer, moscow, sink, telegram):
    NotifyPolicy.objects.create(dealer=dealer, escalate_to="head@dealer.ru")
    fired = local(MOSCOW, 2025, 3, 5, 14, 0)
    fire("KodeksXmlSensLockStatus", "P1", moscow, fired)
    deliver(fired)
    now = fired + timedelta(minutes=61)  # a re-notify round and the escalation are both due
    start, results, errors = threading.Barrier(4), [], []

    def notifier():
        try:
            start.wait()
            results.append(run_reminders(now))
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)
        finally:
            connection.close()

    threads = [threading.Thread(target=notifier) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and sum(results) == 3
    assert sorted(Notification.objects.exclude(kind="alert").values_list("kind", flat=True)) == \
        ["escalation", "renotify", "renotify"]
    drain(now)
    assert len(still_firing_mails(sink)) == 1
    assert [m.to for m in sink.messages() if "Эскалация" in m.text] == ["head@dealer.ru"]
