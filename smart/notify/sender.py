"""Stage 2 of delivery: send what is due. A notification is claimed with a compare-and-set lease; a
transient failure (timeout, 5xx, SMTP 4xx, Telegram 429) is retried with back-off, honouring
`retry_after`; a permanent one (mailbox refused, chat deleted, bot blocked) stops and is kept with its
reason for the dealer to see. Telegram sends respect a per-chat budget of 1 message/s and 20/min."""
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from smart.alerts.models import Alert

from . import render
from .models import ChatBudget, Channel, Notification
from .transports import PermanentError, TransientError

log = logging.getLogger("smart.notify")
LEASE = timedelta(minutes=2)  # a claim older than this was left by a notifier that died
BACKOFF = (5, 15, 60, 300, 900)  # seconds after the 1st, 2nd, … failure; then every 15 min
PER_SECOND, PER_MINUTE = 1, 20


def send_due(now=None, limit: int = 50) -> int:
    now = now or timezone.now()
    sent = 0
    due = (Notification.objects.filter(state=Notification.State.QUEUED, not_before__lte=now)
           .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE)).order_by("not_before", "id")
           .values_list("id", flat=True)[:limit])
    for notification_id in list(due):
        claimed = (Notification.objects.filter(pk=notification_id, state=Notification.State.QUEUED)
                   .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE)).update(claimed_at=now))
        if claimed:
            sent += _deliver(Notification.objects.select_related("dealer", "route").get(pk=notification_id), now)
    return sent


def _alerts(notification) -> list:
    ids = notification.flips.values_list("alert_id", flat=True)
    return list(Alert.objects.filter(pk__in=ids).select_related("client", "installation__manager",
                                                               "online_access__manager").order_by("object_key"))


def _deliver(notification, now) -> int:
    alerts = _alerts(notification)
    if notification.channel == Channel.TELEGRAM:
        wait = _budget_wait(notification.target)
        if wait > 0:
            Notification.objects.filter(pk=notification.pk).update(claimed_at=None, not_before=now + timedelta(seconds=wait))
            return 0
    try:
        external_id, subject = _send(notification, alerts)
    except TransientError as err:
        delay = max(err.retry_after or 0, BACKOFF[min(notification.attempts, len(BACKOFF) - 1)])
        if notification.channel == Channel.TELEGRAM and err.retry_after:
            ChatBudget.objects.update_or_create(chat=notification.target, defaults={"blocked_until": time.time() + err.retry_after})
        Notification.objects.filter(pk=notification.pk).update(
            claimed_at=None, attempts=notification.attempts + 1, last_error=str(err)[:500],
            not_before=now + timedelta(seconds=delay))
        log.warning("notification %s: transient failure, retry in %ss: %s", notification.pk, delay, err)
        return 0
    except PermanentError as err:
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.FAILED, attempts=notification.attempts + 1, last_error=str(err)[:500])
        log.error("notification %s failed for good: %s", notification.pk, err)
        return 0
    Notification.objects.filter(pk=notification.pk).update(
        state=Notification.State.SENT, sent_at=timezone.now(), attempts=notification.attempts + 1,
        external_id=str(external_id)[:200], subject=subject[:300], last_error="")
    return 1


def _send(notification, alerts) -> tuple[str, str]:
    if notification.channel == Channel.EMAIL:
        from .transports.email import send_email

        message = render.email(notification, alerts)
        result = send_email([notification.target], message["subject"], message["text"], message["html"],
                            message["headers"])
        return result.message_id, message["subject"]
    if notification.channel == Channel.TELEGRAM:
        from .transports.telegram import TelegramClient

        text = render.telegram(notification, alerts)
        with TelegramClient(settings.SMART_TELEGRAM_API, settings.SMART_TELEGRAM_TOKEN) as client:
            return str(client.send_message(notification.target, text)), text.split("\n", 1)[0]
    from .transports.webhook import post_webhook

    payload = render.webhook(notification, alerts)
    status = post_webhook(notification.target, payload, notification.route.secret if notification.route else "")
    return str(status), f"{payload['status']} {payload['alert']}"


@transaction.atomic
def _budget_wait(chat: str) -> float:
    """Seconds to wait before this chat may get another message; records the send when it may."""
    now = time.time()
    budget, _ = ChatBudget.objects.select_for_update().get_or_create(chat=chat)
    if budget.blocked_until > now:
        return budget.blocked_until - now
    recent = [t for t in budget.sent_at if t > now - 60]
    if len(recent) >= PER_MINUTE:
        return recent[0] + 60 - now
    if recent and now - recent[-1] < 1 / PER_SECOND:
        return recent[-1] + 1 / PER_SECOND - now
    budget.sent_at = recent + [now]
    budget.save(update_fields=["sent_at"])
    return 0.0
