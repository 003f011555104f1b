"""Triggering fact stored → notification out of the outbox: p99 <= 5 s (SQLite and PostgreSQL).

    python bench/alerts_latency.py [--triggers 100] [--spacing 1.0] [--fleet 1000] [--database-url postgres://...]

What runs is what `smart serve` runs: probe results go through the prober's Recorder.record (a writer
batch every 0.5 s), whose results_recorded signal evaluates the on_check rules; the real notifier thread
(smart.notify.worker.Notifier) routes the flips and sends the e-mails to the real SMTP sink
(smart.simulator.mailsink.MailSink). A background fleet of `--fleet` healthy pulled installations is
probed every minute (four checks each, spread over the minute) so that evaluation and the notifier work
beside a live load.

Each trigger is one installation whose port closes: KodeksTcpStatus (P1, e-mail and Telegram). Its
condition needs 3 failed probes and a `for` of 180 s, so the first three failures are written a few
seconds ahead with their real probe times (3, 2 and 1 minute before the trigger); the trigger is the
fourth failed probe, the one at which the `for` has elapsed: the fact that makes the alert fire. So the
latency is measured from the moment the alert is due, as the target means it, without waiting three
minutes per trigger. (Rules with `for_s` = 0 are the online billing ones, scraped hourly; KodeksMaintenance
has a `for` of 60 s and is P4, whose e-mail is the next morning's digest by design.) Ten seconds later
the port opens again: the RESOLVED message is measured the same way (D AL-6: within one evaluation).

Latency per trigger = the SMTP sink's receipt of the first message naming the trigger's client − the
start of the Recorder.record call whose batch carried the triggering result (so it includes writing the
batch). About 2 s of it is the outbox's grouping wait (GROUP_WAIT_S), by design. The chat is left out:
its budget of 20 messages a minute would measure Telegram's limit, not the pipeline.
"""
import argparse
import heapq
import os
import random
import re
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import percentile, setup_django  # noqa: E402

UTC = timezone.utc
TARGET_S = 5.0
BATCH_EVERY = 0.5  # the prober writer's batching interval
PROBE_CHECKS = ("tcp", "http200", "Maintenance", "proxy")


def make_fleet(dealer_code: str, healthy: int, named: list[str]):
    """A dealer with `healthy` pulled installations and one per name in `named` (each its own client, so
    that messages name it); returns (dealer, healthy installations, {name: installation})."""
    from smart.registry.models import Client, Dealer, Installation

    dealer = Dealer.objects.create(code=dealer_code, name=f"bench {dealer_code}")
    shared = Client.objects.create(dealer=dealer, slug="fleet", display_name="Fleet")
    own = Client.objects.bulk_create([Client(dealer=dealer, slug=f"t{i}", display_name=name)
                                      for i, name in enumerate(named)])
    rows = [Installation(dealer=dealer, client=shared, kind=Installation.Kind.PULLED, name=f"{30000 + i}.bench.ru:443",
                         address=f"{30000 + i}.bench.ru", port=443) for i in range(healthy)]
    rows += [Installation(dealer=dealer, client=c, kind=Installation.Kind.PULLED, name=f"{c.display_name}.bench.ru:443",
                          address=f"{c.slug}.bench.ru", port=443) for c in own]
    made = Installation.objects.bulk_create(rows, batch_size=2000)
    return dealer, made[:healthy], dict(zip(named, made[healthy:]))


def results(inst, at: datetime, failing: bool, checks=PROBE_CHECKS):
    """One probe run of an installation as the checks write it: all well, or the port refused."""
    from smart.probes.results import Result

    out = []
    for check in checks:
        if failing and check == "Maintenance":
            continue  # no answer, no page: main_page_checks writes http200 and proxy only
        out.append(Result(check=check, ok=not failing, at=at, state="refused" if failing else "ok",
                          code=0 if failing else 200, dealer_id=inst.dealer_id, installation_id=inst.id,
                          detail=f"{inst.address}:443: connection refused (nothing listens on the port)" if failing else ""))
    return out


class Writer:
    """The prober's writer in the bench's thread: events (wall time, callback → results) that came due
    are written as one batch with Recorder.record every BATCH_EVERY seconds; `on_batch(started, tags)`
    hears when each batch with tagged events began."""

    def __init__(self):
        from smart.probes.store import Recorder

        self.recorder, self.queue, self.counter, self.batches = Recorder(), [], 0, []

    def at(self, wall: float, make, tag=None) -> None:
        self.counter += 1
        heapq.heappush(self.queue, (wall, self.counter, make, tag))

    def every_minute(self, installations, start: float, until: float, interval: float = 60.0, failing=None) -> None:
        """Each installation probed every `interval` seconds at its own offset, from `start` until `until`."""
        rng = random.Random(7)
        for inst in installations:
            t = start + rng.uniform(0, interval)
            while t < until:
                self.at(t, lambda inst=inst: results(inst, datetime.now(UTC), bool(failing and failing(inst))))
                t += interval

    def run(self, until: float, on_batch=None) -> None:
        """Like smart.probes.prober.Writer: wait BATCH_EVERY, write everything due, again."""
        while self.queue and time.time() < until:
            time.sleep(BATCH_EVERY)
            batch, tags = [], []
            while self.queue and self.queue[0][0] <= time.time():
                _, _, make, tag = heapq.heappop(self.queue)
                batch += make()
                if tag is not None:
                    tags.append(tag)
            if batch:
                started = datetime.now(UTC)
                self.recorder.record(batch)
                self.batches.append((time.time() - started.timestamp(), len(batch)))
                if on_batch:
                    on_batch(started, tags)


def start_sink_and_notifier():
    from django.conf import settings

    from smart.notify.worker import Notifier
    from smart.simulator.mailsink import MailSink

    sink = MailSink().start()
    settings.SMART_SMTP_HOST, settings.SMART_SMTP_PORT = "127.0.0.1", sink.port
    notifier = Notifier(every=0.5)
    notifier.start()
    return sink, notifier


def stop(notifier, *servers) -> None:
    notifier.stop.set()
    notifier.join(30)
    for server in servers:
        server.stop()


def first_mentions(sink, state: str, rule: str, names) -> dict:
    """name → receipt time of the first `[STATE:n] rule` message whose text names it."""
    found = {}
    pattern = re.compile(r"^(" + "|".join(re.escape(n) for n in names) + r") – ", re.M)
    for mail in sink.messages():
        if mail.subject.startswith(f"[{state}:") and mail.subject.endswith(f"] {rule}"):
            for name in pattern.findall(mail.text or ""):
                found.setdefault(name, mail.received_at)
    return found


def report(label: str, stored: dict, received: dict) -> bool:
    latencies = [(received[n] - stored[n]).total_seconds() for n in stored if n in received]
    missing = len(stored) - len(latencies)
    if not latencies:
        print(f"{label}: nothing arrived ({missing} missing)  FAIL")
        return False
    p99 = percentile(latencies, 99)
    ok = p99 <= TARGET_S and not missing
    print(f"{label}: {len(latencies)} of {len(stored)} arrived; p50 {percentile(latencies, 50):.2f} s, "
          f"p95 {percentile(latencies, 95):.2f} s, p99 {p99:.2f} s, max {max(latencies):.2f} s  "
          f"{'PASS' if ok else 'FAIL'} (target p99 <= {TARGET_S:.0f} s)")
    return ok


def breakdown(stored: dict, triggers: dict, received: dict) -> None:
    """Where the FIRING latency goes: evaluation (stored → flip row), routing (flip → in the outbox), the
    grouping wait and sending (→ sent), SMTP (sent → received, ~0: sent_at is set after the sink took
    it); medians and maxima."""
    from smart.alerts.models import Flip

    stages = {"evaluated": [], "routed": [], "sent": [], "received": []}
    for name, at in stored.items():
        flip = Flip.objects.filter(alert__installation=triggers[name], alert__rule="KodeksTcpStatus",
                                   new_state="firing").first()
        note = flip and flip.notifications.filter(sent_at__isnull=False).order_by("sent_at").first()
        if not note or name not in received or flip.processed_at is None:
            continue
        stages["evaluated"].append((flip.created_at - at).total_seconds())
        stages["routed"].append((flip.processed_at - flip.created_at).total_seconds())
        stages["sent"].append((note.sent_at - flip.processed_at).total_seconds())
        stages["received"].append((received[name] - note.sent_at).total_seconds())
    print("FIRING breakdown (median / max): " + ", ".join(
        f"{stage} +{statistics.median(v):.2f} / {max(v):.2f} s" for stage, v in stages.items() if v))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triggers", type=int, default=100)
    parser.add_argument("--spacing", type=float, default=1.0, help="seconds between triggers (on average)")
    parser.add_argument("--fleet", type=int, default=1000, help="healthy installations probed beside them")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    setup_django(args.database_url, "smart_bench_alerts_latency")
    from django.db import connection

    from smart.notify.models import Channel, Notification, Route

    names = [f"Trigger {i:03d}" for i in range(args.triggers)]
    dealer, healthy, triggers = make_fleet("LAT", args.fleet, names)
    Route.objects.create(dealer=dealer, name="noc", channel=Channel.EMAIL, target="noc@bench.example", max_priority="P4")
    sink, notifier = start_sink_and_notifier()
    rng = random.Random(3)
    warmup, recover_after = 5.0, 10.0
    begin = time.time()
    end = begin + warmup + args.triggers * args.spacing + recover_after + 2
    writer = Writer()
    writer.every_minute(healthy, begin, end)
    due = begin + warmup
    for name in names:
        inst = triggers[name]
        when = datetime.fromtimestamp(due, UTC)
        history = [r for m in (3, 2, 1) for r in results(inst, when - timedelta(minutes=m), True)]
        writer.at(due - 3, lambda h=history: h)  # the three failures before, written ahead
        writer.at(due, lambda inst=inst: results(inst, datetime.now(UTC), True), tag=("firing", name))
        writer.at(due + recover_after, lambda inst=inst: results(inst, datetime.now(UTC), False), tag=("resolved", name))
        due += rng.uniform(0.5, 1.5) * args.spacing
    stored = {"firing": {}, "resolved": {}}

    def on_batch(started, tags):
        for state, name in tags:
            stored[state][name] = started

    print(f"database: {connection.vendor}; {args.triggers} triggers over ~{args.triggers * args.spacing:.0f} s beside "
          f"{args.fleet} healthy installations probed every minute; the notifier polls every 0.5 s")
    try:
        writer.run(end + 60, on_batch)
        deadline = time.time() + 20
        while time.time() < deadline and (len(first_mentions(sink, "FIRING", "KodeksTcpStatus", names)) < len(names)
                                          or len(first_mentions(sink, "RESOLVED", "KodeksTcpStatus", names)) < len(names)):
            time.sleep(0.2)
    finally:
        stop(notifier, sink)
    ok = report("FIRING   fact stored → e-mail received", stored["firing"],
                first_mentions(sink, "FIRING", "KodeksTcpStatus", names))
    ok &= report("RESOLVED fact stored → e-mail received", stored["resolved"],
                 first_mentions(sink, "RESOLVED", "KodeksTcpStatus", names))
    breakdown(stored["firing"], triggers, first_mentions(sink, "FIRING", "KodeksTcpStatus", names))
    writes = [s for s, _ in writer.batches]
    sent = Notification.objects.filter(state=Notification.State.SENT, rule="KodeksTcpStatus")
    waits = [(n.sent_at - n.created_at).total_seconds() for n in sent]
    print(f"writer: {len(writes)} batches, {sum(n for _, n in writer.batches)} results; Recorder.record with its "
          f"evaluation p50 {percentile(writes, 50) * 1000:.0f} ms, p99 {percentile(writes, 99) * 1000:.0f} ms")
    print(f"outbox: {sent.count()} e-mails carried the {2 * len(names)} FIRING and RESOLVED instances (grouped); "
          f"queued → sent median {statistics.median(waits) if waits else float('nan'):.2f} s (the grouping wait is "
          f"2 s); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("RESULT:", "PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
