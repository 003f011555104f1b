"""Acting on alerts from messages (e-mail links, Telegram buttons, chat binding) and exactly-once
delivery, against the real SMTP sink and the Telegram stand-in."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from smart.notify.models import Channel, Notification, Route
from smart.notify.outbox import route_pending
from smart.notify.sender import send_due
from smart.probes.results import Result
from smart.probes.store import Recorder
from tests.alerts.conftest import fleet  # noqa: F401 - the same registry
from tests.notify.conftest import sink, telegram  # noqa: F401 - the real SMTP sink and Telegram stand-in

UTC = timezone.utc
CHAT = "-100777"
LINK = re.compile(r"^(.+): (http://\S+/alerts/act/\S+)\r?$", re.M)


def fail_tcp(installations, start: datetime, minutes: int = 5, ok: bool = False) -> None:
    """The prober records `minutes` runs of the TCP check, failing (or passing) each minute."""
    recorder = Recorder()
    for minute in range(minutes):
        recorder.record([Result(check="tcp", ok=ok, at=start + timedelta(minutes=minute), state="ok" if ok else "refused",
                                detail="" if ok else "connection refused", dealer_id=i.dealer_id, installation_id=i.id)
                         for i in installations])


def deliver(now: datetime) -> int:
    route_pending(now)
    return send_due(now + timedelta(seconds=3))  # past the grouping wait


def links(text: str) -> dict:
    """{label: URL} of the action links in an e-mail's text part."""
    return {label.strip(): url for label, url in LINK.findall(text)}


@pytest.fixture
def fired(fleet, dealer):
    """KodeksTcpStatus (P1) firing on one installation, FIRING routed but not yet sent; returns
    (installation, the time it was routed)."""
    start = datetime.now(UTC) - timedelta(minutes=30)
    fail_tcp([fleet[0][0]], start)
    return fleet[0][0], start + timedelta(minutes=5)


@pytest.fixture
def mail_route(dealer):
    return Route.objects.create(dealer=dealer, name="tech", channel=Channel.EMAIL, target="tech@dealer.ru",
                                max_priority="P2")


@pytest.fixture
def chat_route(dealer):
    return Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target=CHAT, max_priority="P2")


@pytest.fixture
def poller(telegram):
    from smart.notify.bot import BotPoller

    bot = BotPoller(poll_timeout=0)
    yield bot
    bot.client.close()


def notification(channel: str) -> Notification:
    return Notification.objects.get(channel=channel)
