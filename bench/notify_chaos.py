"""Delivery under chaos: is every notification delivered exactly once?

    python bench/notify_chaos.py [--n 300] [--scale 60] [--kills 4] [--window-ms 0] [--lose-replies]
                                 [--seed 1] [--database-url postgres://...] [--json]

Starts the real SMTP sink and the Telegram Bot API stand-in in this process, queues N FIRING
notifications (half e-mail, half Telegram over --chats private chats) in a fresh data dir (file SQLite,
or a fresh PostgreSQL database), and runs the notifier (sender.send_due in a loop) in a SUBPROCESS.
Then it plays a scenario in scenario minutes, compressed by --scale (60: an hour runs in a minute;
the notifier's lease and back-off are divided by the same factor through SMART_NOTIFY_TIME_SCALE):

    Telegram  0-5 min: every call answers 500;  5-10 min: every send answers 429 (retry_after)
    SMTP      0-20 min: 451 to every recipient; 20-40 min: connection dropped at MAIL FROM;
              40-60 min: port closed; (--lose-replies: 60-62 min the sink keeps the message and drops
              the connection before "250", the classic SMTP duplicate)
    notifier  SIGKILLed --kills times at random moments between minute 1 and 75, restarted at once

Afterwards it waits for the outbox to drain and counts, per channel, what reached the peers: delivered
(notifications that arrived at least once), duplicates (extra copies: e-mail copies share the
Message-ID, so a mail store collapses them; Telegram copies carry a "may repeat" line), missing, and
in-doubt (rows whose send outcome was unknown to the notifier at least once). The target is exactly
once: no missing, no duplicates. --window-ms adds that many milliseconds between the peer's answer and
the notifier's record of it (a slow network or database), widening the window a SIGKILL must hit to
cause a duplicate; with 0 it is one round trip.
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import setup_django  # noqa: E402

TOKEN = "123456:CHAOS"
CHILD = """
import os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smart.settings")
django.setup()
from django.conf import settings
settings.SMART_NOTIFY_TIME_SCALE = float(os.environ["CHAOS_SCALE"])
window = float(os.environ.get("CHAOS_WINDOW_MS", "0")) / 1000
if window:  # the peer has answered, the record is not yet written: the window a crash must hit
    from smart.notify.transports import email, telegram
    def slow(real):
        def call(*args, **kwargs):
            result = real(*args, **kwargs)
            time.sleep(window)
            return result
        return call
    email.send_email = slow(email.send_email)
    telegram.TelegramClient.send_message = slow(telegram.TelegramClient.send_message)
from smart.notify.sender import send_due
print("notifier", os.getpid(), "up", flush=True)
while True:
    if not send_due(limit=10):
        time.sleep(0.02)
"""


def scenario(scale: float, lose_replies: bool) -> list[tuple[float, str, str, object]]:
    """(scenario second, peer, fault, value) in time order; value False clears."""
    minute = 60.0
    retry_after = max(1, round(30 / scale))  # Telegram's retry_after is real seconds: the stand-in's own
    steps = [(0, "tg", "server_error", 500), (5 * minute, "tg", "server_error", False),
             (5 * minute, "tg", "rate_limit", retry_after), (10 * minute, "tg", "rate_limit", False),
             (0, "smtp", "refuse_all", True), (20 * minute, "smtp", "refuse_all", False),
             (20 * minute, "smtp", "disconnect", True), (40 * minute, "smtp", "disconnect", False),
             (40 * minute, "smtp", "down", True), (60 * minute, "smtp", "down", False)]
    if lose_replies:
        steps += [(60 * minute, "smtp", "lose_reply", True), (62 * minute, "smtp", "lose_reply", False)]
    return sorted(steps, key=lambda s: s[0])


def queue(n: int, chats: int) -> list[int]:
    """N FIRING notifications of N distinct alerts, due now: even ones by e-mail, odd ones by Telegram."""
    from django.utils import timezone

    from smart.alerts.lifecycle import fingerprint
    from smart.alerts.models import Alert, Flip
    from smart.notify.models import Channel, Notification
    from smart.registry.models import Client, Dealer

    now = timezone.now()
    dealer = Dealer.objects.create(code="0777", name="chaos", display_name="Хаос")
    client = Client.objects.create(dealer=dealer, display_name="Стенд", slug="stand")
    alerts = Alert.objects.bulk_create([
        Alert(rule="KodeksTcpStatus", object_key=f"chaos{i}", fingerprint=fingerprint("KodeksTcpStatus", f"chaos{i}"),
              dealer=dealer, client=client, state="firing", pending_since=now - timedelta(minutes=5),
              fired_at=now - timedelta(minutes=2), last_seen_at=now, detail=f"chaos item {i}: connection refused",
              priority="P1", legacy_priority="K1", importance="critical", category="network")
        for i in range(n)])
    flips = Flip.objects.bulk_create([Flip(alert=a, new_state="firing", at=a.fired_at) for a in alerts])
    rows = Notification.objects.bulk_create([
        Notification(dealer=dealer, channel=Channel.EMAIL if i % 2 == 0 else Channel.TELEGRAM,
                     target=f"duty{i % 10}@chaos.local" if i % 2 == 0 else str(1000 + (i // 2) % chats),
                     rule="KodeksTcpStatus", new_state="firing", created_at=now, not_before=now)
        for i in range(n)])
    Through = Notification.flips.through
    Through.objects.bulk_create([Through(notification_id=row.pk, flip_id=flip.pk) for row, flip in zip(rows, flips)])
    return [row.pk for row in rows]


class Notifier:
    """The notifier subprocess: started, SIGKILLed and restarted."""

    def __init__(self, env: dict, log_path: Path):
        self.env, self.log = env, open(log_path, "ab")
        self.proc: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", CHILD], env=self.env, stdout=self.log, stderr=self.log)

    def kill_and_restart(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.kills += 1
        self.start()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def count(ids: list[int], sink, tg, chats: int) -> dict:
    from smart.notify.bot import parse_callback
    from smart.notify.models import Channel, Notification
    from smart.notify.sender import message_id

    rows = {row.pk: row for row in Notification.objects.filter(pk__in=ids)}
    copies: Counter = Counter()
    by_message_id = Counter(mail.message_id for mail in sink.messages())
    for row in rows.values():
        if row.channel == Channel.EMAIL:
            copies[row.pk] = by_message_id.get(message_id(row), 0)
    repeats_marked = 0
    for chat in range(chats):
        for message in tg.messages(1000 + chat):
            data = [b.get("callback_data") for r in (message.get("reply_markup") or {}).get("inline_keyboard", [])
                    for b in r]
            parsed = parse_callback(data[0]) if data else None
            if parsed:
                copies[parsed[1]] += 1
            repeats_marked += "repeat" in message["text"] or "повтор" in message["text"]
    result = {}
    for channel in (Channel.EMAIL, Channel.TELEGRAM):
        mine = [pk for pk, row in rows.items() if row.channel == channel]
        result[channel] = {
            "queued": len(mine),
            "delivered": sum(1 for pk in mine if copies[pk] >= 1),
            "duplicates": sum(max(0, copies[pk] - 1) for pk in mine),
            "missing": sum(1 for pk in mine if copies[pk] == 0),
            "in_doubt": sum(1 for pk in mine if rows[pk].in_doubt),
            "failed": sum(1 for pk in mine if rows[pk].state == Notification.State.FAILED),
            "attempts_mean": round(sum(rows[pk].attempts for pk in mine) / max(1, len(mine)), 2),
        }
    result[Channel.TELEGRAM]["repeats_marked"] = repeats_marked
    result["stray_mail"] = len(sink.messages()) - sum(copies[pk] for pk, r in rows.items() if r.channel == Channel.EMAIL)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--scale", type=float, default=60, help="scenario seconds per real second")
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--chats", type=int, default=30)
    parser.add_argument("--window-ms", type=float, default=0)
    parser.add_argument("--lose-replies", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--drain-timeout", type=float, default=180, help="real seconds to wait after the scenario")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    setup_django(args.database_url, "smart_chaos")
    from smart.notify.models import Notification
    from smart.simulator.mailsink import MailSink
    from smart.simulator.telegram import TelegramStandin

    rng = random.Random(args.seed)
    data_dir = Path(os.environ["SMART_DATA_DIR"])
    sink, tg = MailSink().start(), TelegramStandin(token=TOKEN).start_in_thread()
    ids = queue(args.n, args.chats)
    env = dict(os.environ, SMART_SMTP_HOST="127.0.0.1", SMART_SMTP_PORT=str(sink.port), SMART_TELEGRAM_API=tg.url,
               SMART_TELEGRAM_TOKEN=TOKEN, SMART_HTTP_TIMEOUT="5", CHAOS_SCALE=str(args.scale),
               CHAOS_WINDOW_MS=str(args.window_ms), SMART_LOG_LEVEL="WARNING")
    notifier = Notifier(env, data_dir / "notifier.log")
    steps = scenario(args.scale, args.lose_replies)
    kills = sorted(rng.uniform(60, 75 * 60) for _ in range(args.kills))
    events = sorted([(t, "fault", step) for t, *step in steps] + [(t, "kill", None) for t in kills],
                    key=lambda e: e[0])
    started = time.monotonic()
    notifier.start()
    try:
        for at, kind, step in events:
            delay = started + at / args.scale - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if kind == "kill":
                notifier.kill_and_restart()
            elif step[0] == "tg":
                tg.set_fault(step[1], step[2])
            else:
                sink.set_fault(step[1], step[2])
        scenario_s = time.monotonic() - started
        deadline = time.monotonic() + args.drain_timeout
        while Notification.objects.filter(pk__in=ids, state=Notification.State.QUEUED).exists():
            if time.monotonic() > deadline:
                break
            time.sleep(0.25)
        drained_s = time.monotonic() - started
        time.sleep(0.5)  # the last SMTP session closes
    finally:
        notifier.stop()
    result = count(ids, sink, tg, args.chats)
    sink.stop()
    tg.stop()
    summary = {"n": args.n, "scale": args.scale, "kills": notifier.kills, "window_ms": args.window_ms,
               "lose_replies": args.lose_replies, "database": "postgresql" if args.database_url else "sqlite",
               "scenario_s": round(scenario_s, 1), "drained_after_s": round(drained_s, 1), **result,
               "log": str(data_dir / "notifier.log")}
    exact = all(result[c]["missing"] == 0 and result[c]["duplicates"] == 0 for c in ("email", "telegram"))
    summary["exactly_once"] = exact
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(f"notify chaos: {args.n} notifications, scale {args.scale:g}, {notifier.kills} SIGKILLs, "
              f"window {args.window_ms:g} ms, {summary['database']}; scenario {summary['scenario_s']} s, "
              f"drained after {summary['drained_after_s']} s")
        print(f"{'':10}{'queued':>8}{'delivered':>11}{'duplicates':>12}{'missing':>9}{'in-doubt':>10}"
              f"{'failed':>8}{'attempts':>10}")
        for channel in ("email", "telegram"):
            r = result[channel]
            print(f"{channel:10}{r['queued']:>8}{r['delivered']:>11}{r['duplicates']:>12}{r['missing']:>9}"
                  f"{r['in_doubt']:>10}{r['failed']:>8}{r['attempts_mean']:>10}")
        print(f"Telegram repeats marked as such: {result['telegram']['repeats_marked']}; "
              f"e-mail duplicates share their Message-ID (a mail store shows "
              f"{result['email']['delivered']} messages)")
        print("target exactly once:", "MET" if exact else "NOT MET", f"(log: {summary['log']})")
    return 0 if all(result[c]["missing"] == 0 for c in ("email", "telegram")) else 1


if __name__ == "__main__":
    sys.exit(main())
