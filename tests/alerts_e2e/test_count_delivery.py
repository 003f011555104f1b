"""What the dealer's chat and mailbox get while a Count roll-up fires (D §1.3 #5), from the prober's results
as its checks write them (Recorder.record → on-check evaluation → the Count after its base rule) through
the real outbox and sender into the SMTP sink and the Telegram stand-in:

- a chat gets a base alert's RESOLVED only if it got that episode's FIRING: hosts the Count held back stay
  silent in the chat even when the Count resolves before they do; a host the chat was told of before the
  Count fired still gets its RESOLVED;
- base e-mails of covered hosts are collected into one digest per address, rule and state instead of one
  e-mail per grouping window, sent when the Count resolves (or COUNT_DIGEST_S after it opened);
- KodeksBehindProxyDownCount counts per registry provider: one Count per provider, and hosts without a
  provider counted together under the dealer's plain key, as before.

The notifier's stages are run at explicit moments (`Notify`), so that grouping windows are real."""
import time
from datetime import datetime, timedelta, timezone

import pytest

from smart.alerts.models import Alert, State
from smart.notify.models import Channel, Notification, NotifyPolicy, Route
from smart.notify.outbox import route_pending
from smart.notify.rollups import COUNT_DIGEST_S
from smart.notify.sender import send_due
from smart.probes.results import Result
from smart.probes.store import Recorder

from .test_probe_alerts_e2e import CHAT, MAIL_TO, fires_on

UTC = timezone.utc
pytestmark = pytest.mark.django_db
COVERS = {"KodeksTcpStatusCount", "KodeksBehindProxyDownCount"}


class Probes:
    """One check of some hosts, recorded in one batch per call at a clock that moves a minute a call."""

    def __init__(self, check: str, failing_state: str, cycles_before: int):
        self.check, self.failing_state = check, failing_state
        self.recorder = Recorder()
        self.at = datetime.now(UTC) - timedelta(minutes=cycles_before)

    def run(self, down, up=()) -> None:
        results = [Result(check=self.check, ok=False, at=self.at, state=self.failing_state, code=502,
                          detail=f"{i.address}: {self.failing_state}", dealer_id=i.dealer_id, installation_id=i.id)
                   for i in down]
        results += [Result(check=self.check, ok=True, at=self.at, state="ok", code=200, dealer_id=i.dealer_id,
                           installation_id=i.id) for i in up]
        self.recorder.record(results)
        self.at += timedelta(minutes=1)

    def fail_until_fired(self, rule: str, down, up=()) -> None:
        for _ in range(fires_on(rule, 60)):
            self.run(down, up)


class Notify:
    """The notifier's stages at a moment that moves on by 10 s per call (more than the grouping wait)."""

    def __init__(self, sink, telegram):
        self.sink, self.telegram = sink, telegram
        self.now = datetime.now(UTC)

    def __call__(self, later: float = 0) -> int:
        self.now += timedelta(seconds=10 + later)
        route_pending(self.now)
        sent, moment = 0, self.now + timedelta(seconds=3)
        for _ in range(6):  # the chat's budget (real time) defers a second message by up to a second
            sent += send_due(moment, limit=1000)
            if not Notification.objects.filter(state=Notification.State.QUEUED,
                                               not_before__lte=moment + timedelta(seconds=2)).exists():
                break
            time.sleep(1.05)
            moment += timedelta(seconds=1.05)
        return sent

    def chat(self, state: str = "", rule: str = "") -> list[str]:
        first = f"<b>{state}</b> {rule}".strip() if state else ""
        return [m["text"] for m in self.telegram.messages(CHAT)
                if m["text"].startswith(first) and (not rule or m["text"].split("\n", 1)[0].endswith(f" {rule}"))]

    def mails(self, state: str, rule: str) -> list:
        """The dealer's e-mails `[STATE:n] rule` (not SMART operations' copies of platform Counts)."""
        return [m for m in self.sink.messages() if m.subject.startswith(f"[{state}:")
                and m.subject.endswith(f"] {rule}") and MAIL_TO in m.envelope_to]


@pytest.fixture
def notify(dealer, sink, telegram, settings):
    """The dealer's routes: e-mail for every priority, a chat for P1/P2 (English, night delivery on)."""
    settings.SMART_OPS_EMAIL = "ops@smart.example"
    Route.objects.create(dealer=dealer, name="noc", channel=Channel.EMAIL, target=MAIL_TO, language="en")
    Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target=CHAT, language="en",
                         max_priority="P2")
    NotifyPolicy.objects.create(dealer=dealer, night_delivery=True)
    return Notify(sink, telegram)


def count_state(rule: str, key: str) -> str | None:
    found = Alert.objects.filter(rule=rule, object_key=key).first()
    return found.state if found else None


def test_hosts_held_back_by_the_count_get_no_resolved_in_the_chat(fleet, dealer, notify):
    hosts = fleet[0]  # 12 installations: T = 3, the Count resolves under 2.4 hosts (two passes)
    early, wave = hosts[0], hosts[1:5]
    probes = Probes("tcp", "refused", cycles_before=40)
    probes.fail_until_fired("KodeksTcpStatus", [early], hosts[1:])
    notify()
    assert len(notify.chat("FIRING", "KodeksTcpStatus")) == 1  # alone: no Count yet, the chat is told
    probes.fail_until_fired("KodeksTcpStatus", [early] + wave, hosts[5:])
    assert count_state("KodeksTcpStatusCount", f"d{dealer.id}") == State.FIRING
    notify()
    assert len(notify.chat("FIRING", "KodeksTcpStatusCount")) == 1
    assert len(notify.chat("FIRING", "KodeksTcpStatus")) == 1  # the wave went to the Count's one message

    probes.run(wave[2:], [early] + wave[:2] + hosts[5:])  # the early host and two of the wave recover
    notify()
    assert count_state("KodeksTcpStatusCount", f"d{dealer.id}") == State.FIRING  # 2 < 2.4: one pass of two
    [resolved] = notify.chat("RESOLVED", "KodeksTcpStatus")  # the early host: its chat heard it fire
    assert early.address in resolved and wave[0].address not in resolved
    probes.run(wave[2:], [early] + wave[:2] + hosts[5:])
    assert count_state("KodeksTcpStatusCount", f"d{dealer.id}") == State.RESOLVED
    notify()
    assert len(notify.chat("RESOLVED", "KodeksTcpStatusCount")) == 1

    probes.run([], hosts)  # the last two recover after the Count: the chat never heard they were down
    assert not Alert.objects.filter(rule="KodeksTcpStatus", state=State.FIRING).exists()
    notify()
    assert len(notify.chat("RESOLVED", "KodeksTcpStatus")) == 1
    assert len(notify.chat()) == 4  # FIRING early, FIRING Count, RESOLVED early, RESOLVED Count
    mailed = "".join(m.text for m in notify.mails("RESOLVED", "KodeksTcpStatus"))
    assert all(h.address in mailed for h in [early] + wave)  # e-mail tells every host both halves


def test_base_emails_during_a_count_are_one_digest_per_address(fleet, dealer, notify):
    hosts = fleet[0]
    probes = Probes("tcp", "refused", cycles_before=40)
    k = fires_on("KodeksTcpStatus", 60)
    waves = [hosts[0:3], hosts[3:6], hosts[6:9]]  # the first wave fires the Count (T = 3); two more follow
    down = []
    for n, wave in enumerate(waves):
        down += wave
        for _ in range(k):
            probes.run(down, [h for h in hosts if h not in down])
        assert Alert.objects.filter(rule="KodeksTcpStatus", state=State.FIRING).count() == len(down)
        notify()  # each wave is routed in its own grouping window
    assert count_state("KodeksTcpStatusCount", f"d{dealer.id}") == State.FIRING
    assert notify.mails("FIRING", "KodeksTcpStatus") == []  # collected: nothing per window
    assert len(notify.mails("FIRING", "KodeksTcpStatusCount")) == 1
    digest = Notification.objects.get(channel=Channel.EMAIL, rule="KodeksTcpStatus", new_state=State.FIRING)
    assert digest.kind == "count" and digest.flips.count() == 9

    notify(later=COUNT_DIGEST_S)  # the digest's time: one e-mail listing all nine
    [mail] = notify.mails("FIRING", "KodeksTcpStatus")
    assert mail.subject == "[FIRING:9] KodeksTcpStatus"
    assert "Mass event: KodeksTcpStatusCount is firing. 9 instances" in mail.text
    assert all(h.address in mail.text for h in hosts[:9]) and "Acknowledge" in mail.text

    for _ in range(2):  # everyone recovers: the base resolves, the Count after two clear passes
        probes.run([], hosts)
        notify()
    assert count_state("KodeksTcpStatusCount", f"d{dealer.id}") == State.RESOLVED
    assert len(notify.mails("RESOLVED", "KodeksTcpStatusCount")) == 1
    [resolved] = notify.mails("RESOLVED", "KodeksTcpStatus")  # released at once by the Count's RESOLVED
    assert resolved.subject == "[RESOLVED:9] KodeksTcpStatus"
    assert notify.chat("FIRING", "KodeksTcpStatus") == [] and notify.chat("RESOLVED", "KodeksTcpStatus") == []


def test_behind_proxy_down_is_counted_per_provider(fleet, dealer, notify):
    hosts = fleet[0]
    cloud, other, unknown = hosts[0:4], hosts[4:8], hosts[8:12]
    for group, provider in ((cloud, "Techexpert.Cloud"), (other, "Selectel")):
        for inst in group:
            inst.provider = provider
            inst.save()
    probes = Probes("proxy", "proxy_error", cycles_before=40)
    down = cloud[:3] + other[:1] + unknown[:3]  # T = 3 of the 4 hosts of each group (floor 3)
    probes.fail_until_fired("KodeksBehindProxyDown", down, [h for h in hosts if h not in down])
    assert Alert.objects.filter(rule="KodeksBehindProxyDown", state=State.FIRING).count() == 7
    counts = {a.object_key: a for a in Alert.objects.filter(rule="KodeksBehindProxyDownCount", state=State.FIRING)}
    assert sorted(counts) == sorted([f"d{dealer.id}|Techexpert.Cloud", f"d{dealer.id}",
                                     "platform|Techexpert.Cloud", "platform"])
    cloud_count = counts[f"d{dealer.id}|Techexpert.Cloud"]
    assert cloud_count.value == "3" and cloud_count.labels["group"] == "Techexpert.Cloud"
    assert sorted(cloud_count.labels["hosts"]) == sorted(h.name for h in cloud[:3])
    assert sorted(counts[f"d{dealer.id}"].labels["hosts"]) == sorted(h.name for h in unknown[:3])
    assert "group" not in counts[f"d{dealer.id}"].labels

    notify()
    assert len(notify.chat("FIRING", "KodeksBehindProxyDownCount")) == 1  # tenant scopes: one message each
    assert sum(t.count("•") for t in notify.chat("FIRING", "KodeksBehindProxyDownCount")) == 2
    [alone] = notify.chat("FIRING", "KodeksBehindProxyDown")  # the Selectel host: no Count of its provider
    assert other[0].address in alone and alone.count("•") == 1

    probes.run(unknown[:3], cloud + other + unknown[3:])
    probes.run(unknown[:3], cloud + other + unknown[3:])
    assert count_state("KodeksBehindProxyDownCount", f"d{dealer.id}|Techexpert.Cloud") == State.RESOLVED
    assert count_state("KodeksBehindProxyDownCount", f"d{dealer.id}") == State.FIRING


def test_covered_hosts_are_re_notified_through_the_count_only(fleet, dealer, notify):
    from smart.notify.reminders import run_reminders

    hosts = fleet[0]
    probes = Probes("tcp", "refused", cycles_before=40)
    probes.fail_until_fired("KodeksTcpStatus", hosts[:4], hosts[4:])
    notify()
    assert count_state("KodeksTcpStatusCount", f"d{dealer.id}") == State.FIRING
    run_reminders(datetime.now(UTC) + timedelta(minutes=61))  # the Count's and the hosts' P1 re-notify round
    renotified = Notification.objects.filter(kind="renotify")
    assert set(renotified.values_list("rule", flat=True)) == {"KodeksTcpStatusCount"}  # not one per host
    assert renotified.filter(channel=Channel.EMAIL, target=MAIL_TO).count() == 1
    assert Alert.objects.filter(rule="KodeksTcpStatus", last_notified_at__isnull=False).count() == 4
