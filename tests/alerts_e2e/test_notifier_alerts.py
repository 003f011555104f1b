"""SmartNotifierDeliveryFailed end to end: a dealer's Telegram chat blocks the bot (the stand-in answers
403), the FIRING message fails for good, the platform alert fires and goes to SMART ops by e-mail (the
real SMTP sink), and resolves with a RESOLVED e-mail after 15 quiet minutes."""
from datetime import datetime, timedelta, timezone

import pytest

from smart.alerts.engine import evaluate
from smart.alerts.models import Alert
from smart.notify.models import Channel, Notification, Route
from smart.probes.results import Result
from smart.probes.store import Recorder

COVERS = {"SmartNotifierDeliveryFailed"}
RULE = "SmartNotifierDeliveryFailed"
CHAT = "-100900"
UTC = timezone.utc
pytestmark = pytest.mark.django_db


def test_a_blocked_bot_alerts_smart_ops_by_email_and_resolves(fleet, dealer, sink, telegram, settings, deliver_now):
    settings.SMART_OPS_EMAIL = "ops@smart.local"
    Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target=CHAT, max_priority="P2")
    telegram.set_fault("bot_blocked", chat_id=CHAT)
    start = datetime.now(UTC) - timedelta(minutes=30)
    inst = fleet[0][0]
    Recorder().record([Result(check="tcp", ok=False, at=start + timedelta(minutes=m), state="refused",
                              detail="connection refused", dealer_id=inst.dealer_id, installation_id=inst.id)
                       for m in range(5)])
    now = start + timedelta(minutes=5)
    deliver_now(now)
    failed = Notification.objects.get(channel=Channel.TELEGRAM)
    assert failed.state == Notification.State.FAILED and "bot was blocked" in failed.last_error

    evaluate(now + timedelta(minutes=1), names={RULE})
    alert = Alert.objects.get(rule=RULE)
    assert alert.state == "firing" and alert.object_key == "platform"
    deliver_now(now + timedelta(minutes=1))
    [mail] = sink.wait_for(1)
    assert mail.envelope_to == ["ops@smart.local"] and mail.subject == f"[FIRING:1] {RULE}"
    assert mail.headers["X-Smart-Alert"] == RULE and "bot was blocked" in mail.text

    telegram.clear_faults()
    evaluate(now + timedelta(minutes=10), names={RULE})
    assert Alert.objects.get(rule=RULE).state == "firing"  # the failure is still within the 15 minutes
    evaluate(now + timedelta(minutes=17), names={RULE})
    assert Alert.objects.get(rule=RULE).state == "resolved"
    deliver_now(now + timedelta(minutes=17))
    resolved = [m for m in sink.wait_for(2) if m.subject.startswith("[RESOLVED")]
    assert [m.subject for m in resolved] == [f"[RESOLVED:1] {RULE}"]
    assert resolved[0].envelope_to == ["ops@smart.local"]
