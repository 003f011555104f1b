"""What the end-to-end report alert tests (tests/alerts_e2e/test_report_alerts*.py) share: a dealer with
an e-mail route for every priority, installations that upload through ingest and the pipeline, the
notifier's two stages run at once, and a wait for a message in the real SMTP sink.

A test drives a `Case`: `fire(ctx)` brings real input until the rule fires, `clear(ctx)` until it
resolves; times are the real clock's past (`ctx.t0` is 30 h ago), the clock is moved by evaluating at
a later `now`."""
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

import pytest

from smart.alerts.engine import evaluate
from smart.alerts.models import Alert, Flip
from smart.notify.models import Channel, Route
from smart.notify.outbox import route_pending
from smart.notify.sender import send_due
from smart.registry.models import Client, Installation

from .build import now, report, status_file, upload

UTC = timezone.utc
H = timedelta(hours=1)
M15 = timedelta(minutes=15)


@dataclass
class Case:
    rule: str
    fire: Callable
    clear: Callable

    def __str__(self) -> str:
        return self.rule


class Ctx:
    """One dealer's installations (ROGA is the pipeline fixture's) and their uploads."""

    def __init__(self, dealer, roga):
        self.dealer, self.roga = dealer, roga
        self.t0 = now() - 30 * H
        self.hosts = {"ROGA": roga}

    def host(self, name: str) -> Installation:
        if name not in self.hosts:
            client = Client.objects.create(dealer=self.dealer, slug=name, display_name=name.title())
            self.hosts[name] = Installation.objects.create(dealer=self.dealer, client=client, kind="pushed", name=name,
                                                           time_zone="Europe/Moscow")
        return self.hosts[name]

    def sysinfo(self, at: datetime, name: str = "ROGA", **kwargs):
        self.host(name)
        done = upload(self.dealer, name, report(at, **kwargs))
        assert done.status in ("ok", "identity_mismatch"), done.detail
        return done

    def status(self, at: datetime | None, name: str = "ROGA", **series):
        self.host(name)
        done = upload(self.dealer, name, status_file(at, **series), "status")
        assert done.status == "ok", done.detail
        return done

    def upload(self, content: bytes, name: str = "ROGA", ext: str = "zip"):
        self.host(name)
        return upload(self.dealer, name, content, ext)

    def evaluate(self, at: datetime, *names: str):
        return evaluate(at, names=set(names))


def mail_route(dealer) -> Route:
    return Route.objects.create(dealer=dealer, name="duty", channel=Channel.EMAIL, target="duty@dealer.ru",
                                max_priority="P4")


def flush() -> int:
    """Route the pending flips and send everything due within a day (the P4 digest goes next morning)."""
    moment = datetime.now(UTC)
    route_pending(moment)
    return send_due(moment + timedelta(days=1, minutes=2), limit=1000)


def wait_mail(sink, state: str, rule: str, timeout: float = 5.0):
    """The first message `[STATE:n] rule` in the sink, waiting for it up to `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        for mail in sink.messages():
            if mail.subject.startswith(f"[{state}:") and mail.subject.endswith(f"] {rule}"):
                return mail
        if time.monotonic() > deadline:
            subjects = [m.subject for m in sink.messages()]
            raise AssertionError(f"no [{state}:n] {rule} message; the sink has {subjects}")
        time.sleep(0.05)


def states(rule: str) -> set[str]:
    return set(Alert.objects.filter(rule=rule).values_list("state", flat=True))


def run_case(case: Case, ctx: Ctx, sink) -> None:
    """fire → FIRING mail → clear → every instance resolved → RESOLVED mail."""
    case.fire(ctx)
    assert "firing" in states(case.rule), (case.rule, list(Alert.objects.filter(rule=case.rule).values("object_key",
                                                                                                      "state")))
    flush()
    firing = wait_mail(sink, "FIRING", case.rule)
    assert firing.headers["X-Smart-Alert"] == case.rule
    case.clear(ctx)
    assert states(case.rule) == {"resolved"}, case.rule
    assert set(Flip.objects.filter(alert__rule=case.rule).values_list("new_state", flat=True)) == {"firing", "resolved"}
    flush()
    wait_mail(sink, "RESOLVED", case.rule)


@pytest.fixture
def report_ctx(dealer, dealer_token, roga, settings):
    """A Ctx with the e-mail route; uploads are not rate-limited. Test modules import it with `roga`."""
    settings.SMART_UPLOADS_PER_NAME_PER_HOUR = 0
    mail_route(dealer)
    return Ctx(dealer, roga)
