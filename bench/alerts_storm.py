"""A storm: 1,000 installations change state at once. One Count message, <= 5 chat messages a minute.

    python bench/alerts_storm.py [--hosts 1000] [--scenario maintenance|refused] [--database-url postgres://...]

The dealer routes every priority to one e-mail address and P1/P2 to one Telegram chat (the Telegram
stand-in, smart.simulator.telegram); SMART operations read e-mail (SMART_OPS_EMAIL). The prober's results
go through Recorder.record in writer batches every 0.5 s (results_recorded → on_check evaluation), each
host probed once a minute at its own offset (the four main-page checks and the four signed-in ones, as
the stand-in tests show a K/TE server answers them); the real notifier thread routes and sends.

Scenarios:
- maintenance (D §1.3: "KodeksMaintenanceCount means more than 30 installations in maintenance"): every
  host shows the maintenance page. KodeksMaintenance (P4: the dealer's daily e-mail digest, no chat)
  fires on each; KodeksMaintenanceCount (P2, tenant and platform scope, T = 31) fires once in each
  scope (the dealer's chat and e-mail, SMART operations' e-mail); the HTTP, sign-in, key
  and warning alerts are held back by inhibition.
- refused: every host's port closes. KodeksTcpStatus (P1, e-mail and chat) fires on each;
  KodeksTcpStatusCount (P1, tenant and platform scope, T = 10) fires, and takes the base alert's chat
  messages (D §1.3 #5).

Everything runs in real time; only the probes before the one at which the base alert's `for` elapses are
written at the start with their real (past) probe times, so the firing wave comes within the first live
minute: live minutes are the one that fires, one more failing minute, the recovery, and one healthy
minute for the Count's hysteresis (about 4 minutes with the default 60 s probe interval).

Figures: Count messages per channel (target: exactly one FIRING per channel it is routed to), chat
messages per minute (max over any 60 s window; target <= 5), e-mails sent by alert and state, and the
P4 digest rows left queued for the morning.
"""
import argparse
import os
import random
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from alerts_latency import Writer, make_fleet, start_sink_and_notifier, stop  # noqa: E402
from common import setup_django  # noqa: E402

UTC = timezone.utc
CHAT, MAIL_TO, OPS = "-100555", "noc@bench.example", "ops@smart.example"
CHAT_PER_MINUTE = 5
SCENARIOS = {"maintenance": ("KodeksMaintenance", "KodeksMaintenanceCount"),
             "refused": ("KodeksTcpStatus", "KodeksTcpStatusCount")}


def probe_run(inst, at: datetime, scenario: str, faulty: bool):
    """One run of the probe and session jobs of a host, as the checks write them (tests/probes)."""
    from smart.probes.results import Result

    if not faulty:
        runs = [(c, True, "ok", 200) for c in ("tcp", "http200", "Maintenance", "proxy", "auth", "key", "warning",
                                               "limit")]
    elif scenario == "maintenance":
        runs = [("tcp", True, "ok", 0), ("http200", False, "maintenance", 503), ("Maintenance", False, "maintenance", 503),
                ("proxy", True, "ok", 503), ("auth", False, "maintenance", 503)]
        runs += [(c, False, "no_auth", 0) for c in ("key", "warning", "limit")]
    else:
        runs = [("tcp", False, "refused", 0), ("http200", False, "refused", 0), ("proxy", False, "refused", 0),
                ("auth", False, "unreachable", 0)] + [(c, False, "no_auth", 0) for c in ("key", "warning", "limit")]
    return [Result(check=check, ok=ok, at=at, state=state, code=code, dealer_id=inst.dealer_id,
                   installation_id=inst.id, detail="" if ok else f"{inst.address}: {state}")
            for check, ok, state, code in runs]


def fires_on(rule: str, interval: float) -> int:
    """The probe run (1 = the first faulty one) at which the rule's `consecutive` and `for` are met."""
    from smart.alerts.catalogue import conditions, load

    entry = load()[rule]
    runs = max([c.get("consecutive", 1) for c in conditions(entry.condition)
                if c["kind"] in ("check_failing", "check_state")] or [1])
    return max(runs, int(entry.for_s // interval) + 1)


def max_per_window(times: list[float], window: float = 60.0) -> int:
    ordered, best, start = sorted(times), 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="maintenance")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between two probes of a host")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    setup_django(args.database_url, "smart_bench_alerts_storm")
    from django.conf import settings
    from django.db import connection

    from smart.notify.models import Channel, Notification, NotifyPolicy, Route
    from smart.simulator.telegram import TelegramStandin

    base, count = SCENARIOS[args.scenario]
    dealer, hosts, _ = make_fleet("STRM", args.hosts, [])
    Route.objects.create(dealer=dealer, name="noc", channel=Channel.EMAIL, target=MAIL_TO, max_priority="P4")
    Route.objects.create(dealer=dealer, name="chat", channel=Channel.TELEGRAM, target=CHAT, max_priority="P2")
    NotifyPolicy.objects.create(dealer=dealer, night_delivery=True)  # a P2 is not held for the morning
    settings.SMART_OPS_EMAIL = OPS
    bot = TelegramStandin(token="123456:BENCH").start_in_thread()
    settings.SMART_TELEGRAM_API, settings.SMART_TELEGRAM_TOKEN = bot.url, "123456:BENCH"
    sink, notifier = start_sink_and_notifier()

    k, interval = fires_on(base, args.interval), args.interval
    live = time.time() + 5  # the firing run of each host falls within [live, live + interval)
    rng = random.Random(5)
    offsets = {inst.id: rng.uniform(0, interval) for inst in hosts}
    writer = Writer()
    plan = [(run, run >= 1 and run <= k + 1) for run in range(0, k + 4)]  # healthy, faulty… , recovery, healthy
    for run, faulty in plan:
        for inst in hosts:
            wall = live + (run - k) * interval + offsets[inst.id]
            at = datetime.fromtimestamp(wall, UTC)
            writer.at(max(wall, time.time()), lambda i=inst, a=at, f=faulty: probe_run(i, a, args.scenario, f))
    end = live + 4 * interval
    print(f"database: {connection.vendor}; scenario {args.scenario}: {args.hosts} hosts, {base} fires on the "
          f"{k}th faulty probe; live for {end - time.time() + 20:.0f} s")
    started = time.time()
    try:
        writer.run(end + 30)
        time.sleep(20)  # the last grouping waits and sends
        notifier.stop.set()
        notifier.join(30)
        chat = bot.messages(CHAT)
    finally:
        stop(notifier, sink, bot)
    elapsed = time.time() - started

    chat_rules = Counter(" ".join(m["text"].split("\n", 1)[0].replace("<b>", "").replace("</b>", "").split()[:2])
                         for m in chat)
    mails = Counter((m.envelope_to[0], m.subject) for m in sink.messages())
    by_rule = Counter()
    for (to, subject), n in mails.items():
        state, rule = subject.split("] ", 1)[0].strip("[").split(":")[0], subject.split("] ", 1)[1]
        by_rule[(to, state, rule)] += n
    count_firing = {"chat": chat_rules.get(f"FIRING {count}", 0), "dealer e-mail": by_rule[(MAIL_TO, "FIRING", count)],
                    "ops e-mail": by_rule[(OPS, "FIRING", count)]}
    per_minute = max_per_window([m["date"] for m in chat])
    digests = Notification.objects.filter(kind="daily", state=Notification.State.QUEUED).count()
    print(f"ran {elapsed:.0f} s; writer: {len(writer.batches)} batches, {sum(n for _, n in writer.batches)} results, "
          f"Recorder.record with evaluation max {max(s for s, _ in writer.batches):.2f} s")
    print(f"{count} FIRING messages: " + ", ".join(f"{where} {n}" for where, n in count_firing.items()))
    print(f"chat {CHAT}: {len(chat)} messages, at most {per_minute} in any minute: "
          + (", ".join(f"{rule} ×{n}" for rule, n in sorted(chat_rules.items())) or "none"))
    print(f"e-mails sent: {sum(mails.values())}: " + ", ".join(
        f"{'ops' if to == OPS else 'dealer'} {state} {rule} ×{n}" for (to, state, rule), n in sorted(by_rule.items())))
    print(f"P4 daily digests queued for the morning: {digests}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")
    told = [n for n in count_firing.values() if n]
    ok_count = bool(told) and all(n == 1 for n in told)
    ok_chat = per_minute <= CHAT_PER_MINUTE
    print(f"Count: {'PASS' if ok_count else 'FAIL'} (exactly one FIRING per channel it is routed to); "
          f"chat: {'PASS' if ok_chat else 'FAIL'} (<= {CHAT_PER_MINUTE} a minute)")
    print("RESULT:", "PASS" if ok_count and ok_chat else "FAIL")
    sys.exit(0 if ok_count and ok_chat else 1)


if __name__ == "__main__":
    main()
