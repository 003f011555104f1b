"""What the end-to-end time alert tests (tests/alerts_e2e/test_time_alerts*.py) share: the dealer's e-mail
routes (business alerts to the responsible manager, SMART's own to ops), the notifier's two stages, and
a wait for a message in the real SMTP sink. Flips are routed at the real clock: a P4 alert goes out in
the next morning's digest, so sending looks a day ahead."""
import time
from datetime import datetime, timedelta, timezone

from smart.notify.models import Channel, Route
from smart.notify.outbox import route_pending
from smart.notify.sender import send_due

MANAGER, OPS = "manager@dealer.ru", "ops@dealer.ru"


def routes(dealer):
    """The manager (for the registry objects) and the two routes; returns the manager."""
    from smart.registry.models import Role, User

    manager = User.objects.create(username="manager", email=MANAGER, dealer=dealer, role=Role.MANAGER)
    Route.objects.create(dealer=dealer, name="managers", channel=Channel.EMAIL, to_manager=True,
                         categories=["online_billing", "usage"], max_priority="P4")
    Route.objects.create(dealer=dealer, name="ops", channel=Channel.EMAIL, target=OPS, categories=["platform"],
                         max_priority="P4")
    return manager


def flush() -> int:
    moment = datetime.now(timezone.utc)
    route_pending(moment)
    return send_due(moment + timedelta(days=1, minutes=2), limit=1000)


def mail(sink, state: str, rule: str, to: str, timeout: float = 5.0):
    """Send what is due, then the first `[STATE:n] rule` message to `to` in the sink."""
    flush()
    deadline = time.monotonic() + timeout
    while True:
        for found in sink.messages():
            if found.subject.startswith(f"[{state}:") and found.subject.endswith(f"] {rule}") and found.to == to:
                return found
        if time.monotonic() > deadline:
            raise AssertionError(f"no [{state}:n] {rule} to {to}; the sink has {[(m.subject, m.to) for m in sink.messages()]}")
        time.sleep(0.05)
