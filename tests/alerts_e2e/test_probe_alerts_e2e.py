"""Probe alerts end to end: a fault switched on in the K/TE stand-in → the prober's own jobs (run_job, as
build_jobs makes them) probe it → the writer's Recorder.record → results_recorded → evaluation → the
alert → FIRING in the real SMTP sink (and, for P1/P2, the Telegram stand-in) → the fault is switched off
→ the next probes → RESOLVED with the downtime.

The probes run now against the live stand-ins; each cycle's results are stamped with a clock that runs
a probe interval per cycle and ends at the present (as if the prober had probed every minute), so a
`for` of five minutes takes six cycles, not five minutes. The recovery is probed at the real time,
which is also when the evaluation it triggers resolves the alert. Count roll-ups, the online accesses
and the ICMP alerts are in the sibling modules; this one also holds what they share.
"""
import asyncio
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from django.utils import timezone as djtz
from django.utils import translation

from smart.alerts.catalogue import conditions, load
from smart.alerts.models import Alert, State
from smart.notify.models import Channel, Notification, NotifyPolicy, Route
from smart.notify.outbox import route_pending
from smart.notify.render import duration
from smart.notify.sender import send_due
from smart.probes.prober import build_jobs, run_job
from smart.probes.store import Recorder

UTC = timezone.utc
MAIL_TO, OPS_MAIL, CHAT = "noc@dealer.example", "ops@smart.example", "-100777"
pytestmark = pytest.mark.django_db


# ---- what the probe modules share --------------------------------------------------------------------

@pytest.fixture(scope="module")
def standin_host():
    """Four K/TE stand-ins (with a reverse proxy and a licence manager) and one online-access host."""
    from smart.simulator.standin.host import StandinHost

    host = StandinHost(kte=4, online=1, proxy=True, licman=True, seed=11).start_in_thread()
    yield host
    host.stop()


@pytest.fixture
def standins(standin_host):
    """The stand-in host with every fault cleared before and after the test."""
    names = [standin_host.kte(i).name for i in range(4)] + [standin_host.online(0).name]
    for name in names:
        standin_host.clear_faults(name)
    yield standin_host
    for name in names:
        standin_host.clear_faults(name)


@pytest.fixture
def delivery(dealer, sink, telegram, settings):
    """The dealer's routes (e-mail for every priority, a Telegram chat for P1/P2, English messages, night
    delivery on so that a P2 is not held for the morning), SMART operations' mailbox, and the notifier."""
    settings.SMART_OPS_EMAIL = OPS_MAIL
    Route.objects.create(dealer=dealer, name="noc", channel=Channel.EMAIL, target=MAIL_TO, language="en",
                         max_priority="P4")
    Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target=CHAT, language="en",
                         max_priority="P2")
    NotifyPolicy.objects.create(dealer=dealer, night_delivery=True)
    return Delivery(sink, telegram)


def attach(inst, server, via_proxy: bool = False):
    """Register the installation at a K/TE stand-in (its port, or its reverse proxy's), with smartlogin and
    the licence manager; no ICMP (the loopback always answers, and some machines forbid ICMP sockets)."""
    inst.address, inst.scheme, inst.ping = "127.0.0.1", "http", False
    inst.port = server.proxy.port if via_proxy else server.port
    inst.smartlogin_password = server.password
    inst.licman_address, inst.licman_port = "127.0.0.1", server.licman.port
    inst.save()
    return inst


class Clock:
    """Probe cycle i at start + i × interval, where the last planned cycle is an interval before now."""

    def __init__(self, cycles: int, interval: float):
        self.interval = timedelta(seconds=interval)
        self.start = datetime.now(UTC) - cycles * self.interval

    def at(self, cycle: int) -> datetime:
        return self.start + cycle * self.interval


class Driver:
    """The prober's jobs of some installations and online accesses (from build_jobs, as the prober runs
    them), run against the stand-ins and written as the prober's writer writes them."""

    def __init__(self, installations=(), accesses=()):
        wanted = {f"i{i.id}" for i in installations} | {f"o{a.id}" for a in accesses}
        jobs, _ = build_jobs(random.Random(1))
        self.jobs = [j for j in jobs if j.key.split(":")[0] in wanted and j.kind in ("probe", "session", "licman",
                                                                                      "billing")]
        assert {j.key.split(":")[0] for j in self.jobs} == wanted
        self.recorder = Recorder()

    def cycle(self, at: datetime | None = None, extra=()) -> list:
        """Run every job once; results stamped `at` (default: now), with `extra` results (of checks the
        stand-ins cannot fail), recorded in one batch."""
        async def run_all():
            return await asyncio.gather(*(run_job(job) for job in self.jobs))

        results = [r for found in asyncio.run(run_all()) for r in found] + list(extra)
        at = at or datetime.now(UTC)
        for r in results:
            r.at = at
        self.recorder.record(results)
        return results


@dataclass
class Delivery:
    """The notifier's stages run at once, and what arrived in the SMTP sink and the Telegram chat."""

    sink: object
    telegram: object

    def run(self, settle: float = 8.0) -> None:
        """Route the flips and send what is due, the P4 daily digest included, until nothing is left (the
        chat's budget of one message a second defers a second Telegram message by up to a second)."""
        deadline = time.monotonic() + settle
        while True:
            now = djtz.now()
            horizon = now + timedelta(days=1, minutes=2)
            route_pending(now)
            send_due(horizon, limit=1000)
            due = Notification.objects.filter(state=Notification.State.QUEUED,
                                              not_before__lte=horizon + timedelta(seconds=5))
            if not due.exists() or time.monotonic() > deadline:
                return
            time.sleep(0.3)

    def mails(self, state: str, rule: str, to: str = MAIL_TO) -> list:
        return [m for m in self.sink.messages() if m.subject.startswith(f"[{state}:")
                and m.subject.endswith(f"] {rule}") and to in m.envelope_to]

    def chats(self, state: str, rule: str) -> list:
        return [m["text"] for m in self.telegram.messages(CHAT) if m["text"].startswith(f"<b>{state}</b> {rule}\n")]

    def rules_told(self) -> set:
        """Every rule named by a message so far (mail or chat)."""
        told = {m.headers.get("X-Smart-Alert") for m in self.sink.messages()}
        return told | {m["text"].split("\n", 1)[0].split(" ", 1)[1] for m in self.telegram.messages(CHAT)}

    def expect(self, state: str, rule: str, mails: int = 1, chats: int | None = None) -> list:
        """Exactly `mails` e-mails `[STATE:n] rule` to the dealer and, by default, one chat message for a P1/P2
        rule whose catalogue entry lists Telegram (none otherwise); returns the e-mails."""
        if chats is None:
            entry = load()[rule]
            chats = int(entry.priority in ("P1", "P2") and "telegram" in entry.channels_default)
        found = self.mails(state, rule)
        assert len(found) == mails, (state, rule, [m.subject for m in self.sink.messages()])
        assert len(self.chats(state, rule)) == chats, (state, rule, [m["text"][:60] for m in self.telegram.messages(CHAT)])
        return found


def fires_on(rule: str, interval: float) -> int:
    """The probe cycle (1 = the first failing one) on which the rule fires: `consecutive` failing runs and
    its `for` counted from the first."""
    entry = load()[rule]
    runs = max([c.get("consecutive", 1) for c in conditions(entry.condition)
                if c["kind"] in ("check_failing", "check_state")] or [1])
    return max(runs, int(entry.for_s // interval) + 1)


def alert_of(rule: str, **where) -> Alert | None:
    return Alert.objects.filter(rule=rule, **where).first()


def assert_downtime(mail, alert: Alert, least: timedelta) -> None:
    """A RESOLVED message names the downtime: fired → resolved, also kept as the alert's time to resolve."""
    down = alert.resolved_at - alert.fired_at
    assert least <= down < least + timedelta(seconds=60), down
    assert alert.ttr_s == pytest.approx(down.total_seconds())
    with translation.override("en"):  # the routes' language
        expected = f"(down for {duration(down)})"
    assert expected in mail.text, mail.text


# ---- one installation, one fault ---------------------------------------------------------------------

@dataclass
class Fault:
    rule: str
    faults: dict
    via_proxy: bool = False
    held: tuple = ()  # rules whose condition also holds but that are held back (no message)
    interval: float = 60

    def __str__(self) -> str:
        return self.rule


FAULTS = [
    Fault("KodeksTcpStatus", {"refused": True},
          held=("KodeksHttp200Status", "KodeksBehindProxyDown", "KodeksAuthNotWork", "KodeksOnlineSensLockCheck")),
    Fault("KodeksHttp200Status", {"server_error": True}),
    Fault("KodeksBehindProxyDown", {"proxy_down": True}, via_proxy=True,
          held=("KodeksHttp200Status", "KodeksAuthNotWork")),
    Fault("KodeksMaintenance", {"maintenance": True},
          held=("KodeksHttp200Status", "KodeksAuthNotWork", "KodeksOnlineSensLockCheck", "KodeksWarning")),
    Fault("KodeksMaintenanceToLong", {"maintenance": True}, interval=1800,
          held=("KodeksHttp200Status", "KodeksAuthNotWork", "KodeksOnlineSensLockCheck", "KodeksWarning")),
    Fault("KodeksNeedSupport", {"need_support": True}),
    Fault("KodeksAuthNotWork", {"smartlogin_rejected": True}, held=("KodeksOnlineSensLockCheck", "KodeksWarning")),
    Fault("KodeksOnlineSensLockCheck", {"key_lost": True}),
    Fault("KodeksWarning", {"db_error": True}),
    Fault("KodeksLimitsUsers", {"seats_exhausted": True}),
    Fault("LicmanTcpStatus", {"licman_down": True}),
]
COVERS = {fault.rule for fault in FAULTS}


@pytest.mark.parametrize("case", FAULTS, ids=str)
def test_a_stand_in_fault_fires_tells_and_resolves_with_the_downtime(case, fleet, standins, delivery):
    inst = attach(fleet[0][0], standins.kte(0), case.via_proxy)
    k = fires_on(case.rule, case.interval)
    clock, driver = Clock(k + 2, case.interval), Driver([inst])
    driver.cycle(clock.at(0))
    assert not Alert.objects.filter(installation=inst).exists()  # healthy
    standins.set_faults(standins.kte(0).name, case.faults)
    for cycle in range(1, k + 2):  # one more failing cycle after it fired: nothing new to tell
        driver.cycle(clock.at(cycle))
        found = alert_of(case.rule, installation=inst)
        assert (found is not None and found.state == State.FIRING) == (cycle >= k), (cycle, found)
    assert alert_of(case.rule, installation=inst).fired_at == clock.at(k)
    delivery.run()
    firing = delivery.expect("FIRING", case.rule)[0]
    assert firing.headers["X-Smart-Severity"] == load()[case.rule].priority
    assert inst.name in firing.text or inst.client.display_name in firing.text
    for rule in case.held:  # held back by the root cause: its instance waits, nobody hears of it
        held = alert_of(rule, installation=inst)
        assert held is None or (held.state == State.PENDING and held.inhibited_by), (rule, held and held.state)
        assert rule not in delivery.rules_told(), rule

    standins.clear_faults(standins.kte(0).name)
    driver.cycle()  # the recovery, probed now
    resolved = alert_of(case.rule, installation=inst)
    assert resolved.state == State.RESOLVED
    delivery.run()
    mail = delivery.expect("RESOLVED", case.rule)[0]
    assert_downtime(mail, resolved, 2 * clock.interval)
    if delivery.chats("RESOLVED", case.rule):
        with translation.override("en"):  # the routes' language
            expected = f"(down for {duration(resolved.resolved_at - resolved.fired_at)})"
        assert expected in delivery.chats("RESOLVED", case.rule)[0]
    assert not (delivery.rules_told() & set(case.held))

