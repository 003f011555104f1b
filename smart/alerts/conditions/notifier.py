"""`event: notifier_delivery_failed` (SmartNotifierDeliveryFailed, D §1.3 #7): SMART could not deliver
its own messages. It holds, on the object "platform", while

- a notification failed for good (mailbox refused, chat not found, bot blocked, wrong token, …) within
  the last `window_s` seconds (counted from its failing attempt), or
- a notification is still undelivered after two or more transient failures (SMTP down, Telegram
  answering 5xx or 429 for minutes): a third attempt is at least 60 s after the first failure and
  follows 20 s of retries, so this is no longer a blip; it holds until that notification goes out.

So it resolves `window_s` after the last permanent failure once every retried message got through
(the catalogue's "quiet 900 s"). Notifications of SmartNotifierDeliveryFailed itself are not counted:
when the ops mailbox is unreachable the alert could never resolve, and it has nobody to tell anyway.
"""
from collections import Counter
from datetime import timedelta

from django.db.models import Q

from smart.alerts.lifecycle import Observation

RULE = "SmartNotifierDeliveryFailed"
RETRIED_ATTEMPTS = 2  # failed attempts after which an undelivered notification counts
MAX_LISTED = 5


def notifier_delivery_failed(condition: dict, scope) -> dict:
    from smart.notify.models import Notification

    since = scope.now - timedelta(seconds=condition.get("window_s", 900))
    failed = Q(state=Notification.State.FAILED, claimed_at__gte=since, claimed_at__lte=scope.now)
    retried = Q(state=Notification.State.QUEUED, attempts__gte=RETRIED_ATTEMPTS) & ~Q(last_error="")
    rows = list(Notification.objects.filter(failed | retried).exclude(rule=RULE)
                .order_by("-claimed_at", "-id").values("id", "channel", "target", "state", "last_error")[:500])
    if not rows:
        return {}
    states = Counter(row["state"] for row in rows)
    channels = sorted({row["channel"] for row in rows})
    listed = "; ".join(f"{row['channel']} {_short(row['target'])}: {row['last_error'][:160]}" for row in rows[:MAX_LISTED])
    more = f" (+{len(rows) - MAX_LISTED} more)" if len(rows) > MAX_LISTED else ""
    failed_n, retrying_n = states.get(Notification.State.FAILED, 0), states.get(Notification.State.QUEUED, 0)
    detail = f"{failed_n} failed for good, {retrying_n} still retrying: {listed}{more}"
    obs = Observation(object_key="platform", at=scope.now, value=str(len(rows)), detail=detail[:1000],
                      labels={"failed": failed_n, "retrying": retrying_n, "channels": channels,
                              "host": "SMART notifier"})
    return {obs.object_key: obs}


def _short(target: str) -> str:
    return target if len(target) <= 40 else target[:37] + "…"
