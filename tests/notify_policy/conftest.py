"""Delivery-policy tests: alerts through the real lifecycle, the outbox and the sender, into the real SMTP
sink and the Telegram stand-in; time is driven by passing `now` (the Telegram budget alone runs on the
real clock, hence the short sleeps in `drain`)."""
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.alerts.conftest import fleet  # noqa: F401 - the same registry
from tests.notify.conftest import sink, telegram  # noqa: F401 - the real SMTP sink and Telegram stand-in

MOSCOW, VLADIVOSTOK = ZoneInfo("Europe/Moscow"), ZoneInfo("Asia/Vladivostok")


def local(zone, *args) -> datetime:
    """A dealer-local moment, e.g. local(MOSCOW, 2025, 3, 4, 23, 0)."""
    return datetime(*args, tzinfo=zone)


def fire(rule: str, priority: str, installation, at: datetime, key: str = "", historical: bool = False):
    """The alert of `rule` on `installation` (object `key`) fires at `at`; returns it."""
    from smart.alerts.lifecycle import Observation, RuleSpec, apply
    from smart.alerts.models import Alert

    object_key = key or f"i{installation.id}"
    apply(RuleSpec(rule, priority=priority), [Observation(
        object_key, at, detail=f"{rule} on {installation.name}", dealer_id=installation.dealer_id,
        installation_id=installation.id, client_id=installation.client_id, historical=historical)],
        {"object_key": object_key}, at)
    return Alert.objects.get(rule=rule, object_key=object_key)


def resolve(alert, at: datetime) -> None:
    from smart.alerts.lifecycle import RuleSpec, apply

    apply(RuleSpec(alert.rule, priority=alert.priority), [], {"object_key": alert.object_key}, at)


def drain(now: datetime, rounds: int = 10) -> int:
    """Send everything due at `now`; what the chats' one-a-second budget (real time) pushed back by a
    moment is sent too, after waiting that moment out. Messages held for later stay queued."""
    from smart.notify.models import Notification
    from smart.notify.sender import send_due

    sent = 0
    for _ in range(rounds):
        sent += send_due(now, limit=1000)
        soon = Notification.objects.filter(state=Notification.State.QUEUED,
                                           not_before__lte=now + timedelta(seconds=1.5))
        pushed = soon.order_by("not_before").values_list("not_before", flat=True).first()
        if pushed is None:
            return sent
        time.sleep(1.05)
        now = max(now, pushed) + timedelta(seconds=1)
    return sent


def deliver(now: datetime) -> int:
    """The notifier's stages at `now`: route new flips, then send what is due once grouping is over."""
    from smart.notify.outbox import route_pending

    route_pending(now)
    return drain(now + timedelta(seconds=3))


@pytest.fixture
def moscow(dealer, fleet):  # noqa: F811 - the fixture imported above
    """The default dealer (no NotifyPolicy row: the defaults, Moscow time) with a mail and a chat route
    that want every priority, and its first installation."""
    from smart.notify.models import Channel, Route

    Route.objects.create(dealer=dealer, name="tech", channel=Channel.EMAIL, target="tech@dealer.ru")
    Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target="-100700")
    return fleet[0][0]


@pytest.fixture
def vladivostok(db):
    """A second dealer in Asia/Vladivostok (UTC+10) with its own routes; returns its installation."""
    from smart.notify.models import Channel, NotifyPolicy, Route
    from smart.registry.models import Client, Dealer, Installation

    far = Dealer.objects.create(code="0077", name="vlad", display_name="Кодекс-Восток")
    NotifyPolicy.objects.create(dealer=far, time_zone="Asia/Vladivostok")
    client = Client.objects.create(dealer=far, display_name="Порт", slug="port")
    Route.objects.create(dealer=far, name="tech", channel=Channel.EMAIL, target="duty@vlad.ru")
    Route.objects.create(dealer=far, name="chat", channel=Channel.TELEGRAM, target="-100900")
    return Installation.objects.create(dealer=far, client=client, kind=Installation.Kind.PULLED,
                                       name="port.vlad.ru:443", address="port.vlad.ru", port=443)
