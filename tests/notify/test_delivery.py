"""From a probe result to a delivered message and back to RESOLVED, over the real SMTP sink and the
Telegram stand-in; retries, permanent failures, grouping, Count roll-up quieting Telegram."""
import time
from datetime import datetime, timedelta, timezone

import pytest

from smart.alerts.models import Flip
from smart.notify.models import Channel, Notification, Route
from smart.notify.outbox import route_pending
from smart.notify.rollups import COUNT_DIGEST_S
from smart.notify.sender import send_due
from smart.probes.results import Result
from smart.probes.store import Recorder

UTC = timezone.utc
pytestmark = pytest.mark.django_db


def fail_tcp(recorder, installations, start, minutes, ok=False):
    for minute in range(minutes):
        recorder.record([Result(check="tcp", ok=ok, at=start + timedelta(minutes=minute), state="ok" if ok else "refused",
                                detail="" if ok else "connection refused", dealer_id=i.dealer_id, installation_id=i.id)
                         for i in installations])


def deliver(now):
    route_pending(now)
    return send_due(now + timedelta(seconds=3))  # past the grouping wait


@pytest.fixture
def routes(dealer):
    email = Route.objects.create(dealer=dealer, name="tech", channel=Channel.EMAIL, target="tech@dealer.ru, duty@dealer.ru",
                                 max_priority="P2")
    chat = Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target="-100200", max_priority="P2")
    return email, chat


def test_firing_and_resolved_by_email_and_telegram(fleet, dealer, routes, sink, telegram):
    inst = fleet[0][0]
    start = datetime.now(UTC) - timedelta(minutes=30)
    recorder = Recorder()
    fail_tcp(recorder, [inst], start, 5)
    now = start + timedelta(minutes=5)
    assert deliver(now) == 3  # two addresses, one chat
    mails = sink.wait_for(2, timeout=5)
    assert sorted(m.to for m in mails) == ["duty@dealer.ru", "tech@dealer.ru"]
    mail = mails[0]
    assert mail.subject == "[FIRING:1] KodeksTcpStatus"
    assert mail.headers["X-Smart-Alert"] == "KodeksTcpStatus" and mail.headers["X-Smart-Severity"] == "P1"
    assert mail.headers["X-Smart-Dealer"] == dealer.header_value and mail.headers["X-Smart-Client"] == "Облако"
    assert "connection refused" in mail.text and "/runbooks/KodeksTcpStatus" in mail.text
    chat = telegram.messages("-100200")
    assert len(chat) == 1 and "FIRING" in chat[0]["text"] and "KodeksTcpStatus" in chat[0]["text"]

    fail_tcp(recorder, [inst], now + timedelta(minutes=1), 1, ok=True)
    sent = deliver(now + timedelta(minutes=2))
    time.sleep(1.1)  # the chat's budget: one message a second (real time)
    assert sent + send_due(now + timedelta(minutes=3)) == 3
    resolved = [m for m in sink.wait_for(4, timeout=5) if m.subject.startswith("[RESOLVED")]
    assert resolved and resolved[0].subject == "[RESOLVED:1] KodeksTcpStatus"
    assert "(была активна " in resolved[0].text  # "down for": the route speaks Russian, the default
    assert "RESOLVED" in telegram.messages("-100200")[-1]["text"]
    assert not Flip.objects.filter(processed_at__isnull=True).exists()
    assert deliver(now + timedelta(minutes=4)) == 0  # nothing is sent twice


def test_instances_are_grouped_into_one_message(fleet, dealer, routes, sink, telegram):
    start = datetime.now(UTC) - timedelta(minutes=30)
    fail_tcp(Recorder(), fleet[0][:2], start, 5)
    deliver(start + timedelta(minutes=5))
    mails = sink.wait_for(2, timeout=5)
    assert {m.subject for m in mails} == {"[FIRING:2] KodeksTcpStatus"}
    assert mails[0].text.count("connection refused") == 2


def test_a_mass_event_sends_the_count_alert_to_telegram_not_every_host(fleet, dealer, routes, sink, telegram):
    start = datetime.now(UTC) - timedelta(minutes=30)
    fail_tcp(Recorder(), fleet[0][:6], start, 5)
    deliver(start + timedelta(minutes=5))
    texts = [m["text"] for m in telegram.messages("-100200")]
    assert any("KodeksTcpStatusCount" in t for t in texts)
    assert not any("KodeksTcpStatus\n" in t for t in texts)  # the base alert stayed off Telegram
    assert [m.subject for m in sink.wait_for(2, timeout=5)] == ["[FIRING:1] KodeksTcpStatusCount"] * 2
    send_due(start + timedelta(minutes=5, seconds=COUNT_DIGEST_S + 3))  # e-mail keeps it, in the Count digest
    digests = sink.wait_for(4, timeout=5)[2:]
    assert [m.subject for m in digests] == ["[FIRING:6] KodeksTcpStatus"] * 2
    assert "Массовое событие: срабатывает KodeksTcpStatusCount. 6 тревог собраны" in digests[0].text


def test_transient_failures_are_retried_and_delivered_once(fleet, dealer, sink, telegram):
    Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target="-100300", max_priority="P2")
    start = datetime.now(UTC) - timedelta(minutes=30)
    fail_tcp(Recorder(), [fleet[0][0]], start, 5)
    now = start + timedelta(minutes=5)
    telegram.set_fault("server_error")
    assert deliver(now) == 0
    n = Notification.objects.get(channel=Channel.TELEGRAM)
    assert n.state == Notification.State.QUEUED and n.attempts == 1 and n.last_error
    telegram.clear_faults()
    time.sleep(1.1)  # the failed attempt used the chat's one-a-second budget
    assert send_due(n.not_before + timedelta(seconds=1)) == 1
    assert len(telegram.messages("-100300")) == 1
    assert send_due(n.not_before + timedelta(minutes=30)) == 0


def test_retry_after_is_honoured(fleet, dealer, telegram):
    Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target="-100400", max_priority="P2")
    start = datetime.now(UTC) - timedelta(minutes=30)
    fail_tcp(Recorder(), [fleet[0][0]], start, 5)
    telegram.set_fault("rate_limit", 30)
    deliver(start + timedelta(minutes=5))
    n = Notification.objects.get()
    assert n.attempts == 1 and (n.not_before - (start + timedelta(minutes=5, seconds=3))).total_seconds() >= 29


def test_permanent_failures_stop_and_are_kept(fleet, dealer, sink, telegram):
    Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target="-100500", max_priority="P2")
    Route.objects.create(dealer=dealer, name="mail", channel=Channel.EMAIL, target="gone@dealer.ru", max_priority="P2")
    sink.set_fault("reject_recipient", {"gone@dealer.ru"})
    telegram.set_fault("bot_blocked")
    start = datetime.now(UTC) - timedelta(minutes=30)
    fail_tcp(Recorder(), [fleet[0][0]], start, 5)
    deliver(start + timedelta(minutes=5))
    states = {n.channel: (n.state, n.last_error) for n in Notification.objects.all()}
    assert states[Channel.TELEGRAM][0] == Notification.State.FAILED and "blocked" in states[Channel.TELEGRAM][1]
    assert states[Channel.EMAIL][0] == Notification.State.FAILED
    assert send_due(start + timedelta(hours=5)) == 0


def test_low_priority_alerts_skip_a_high_priority_route(fleet, dealer, sink):
    from smart.alerts.lifecycle import Observation, RuleSpec, apply

    Route.objects.create(dealer=dealer, name="tech", channel=Channel.EMAIL, target="tech@dealer.ru", max_priority="P2")
    inst = fleet[0][0]
    now = datetime.now(UTC)
    apply(RuleSpec("KodeksDBOperUpToOld", priority="P3", legacy_priority="K5"),
          [Observation("i%d" % inst.id, now, dealer_id=dealer.id, installation_id=inst.id)], None, now)
    assert deliver(now) == 0 and Notification.objects.count() == 0
