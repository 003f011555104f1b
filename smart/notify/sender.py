"""Stage 2 of delivery: send what is due. A notification is claimed with a compare-and-set lease; a
transient failure (timeout, 5xx, SMTP 4xx, Telegram 429) is retried with back-off, honouring
`retry_after`; a permanent one (mailbox refused, chat deleted, bot blocked) stops and is kept with its
reason for the dealer to see (and for SmartNotifierDeliveryFailed). Telegram sends respect a per-chat
budget of 1 message/s and 20/min. Right before a chat message goes, episodes.settle prunes what the chat
should no longer hear (a held FIRING acknowledged or resolved overnight, a RESOLVED whose FIRING it never
got).

Delivery guarantee, honestly: every notification is delivered at least once, and exactly once unless the
notifier dies (or the peer's answer is lost) while a send is in flight.

- Right before the transport call `send_started_at` is committed; right after the peer's answer the
  outcome (SENT, a retry, FAILED) is recorded in one UPDATE. Rendering happens before, so the window
  between the peer acting and our record is one round trip plus one UPDATE.
- A notifier that takes over a row whose lease ran out (LEASE) and finds `send_started_at` set without an
  outcome knows the previous attempt's fate is unknown: it marks the row `in_doubt` and sends again.
  So does a retry after a timeout or a dropped connection (TransientError.outcome_unknown).
- E-mail is resent with the same Message-ID (deterministic from the notification), so the copies are
  one message to mail stores and clients that collapse Message-IDs, and countable as duplicates.
- Telegram has no idempotency and no way to ask whether a message arrived. A lost FIRING or RESOLVED is
  worse than a repeated one, so an in-doubt Telegram message IS sent again, with a line saying it may
  be a repeat. At most one message per dead notifier (sends are sequential) can be duplicated.
- Webhooks carry X-Smart-Delivery (one id per notification, the same on every retry) for receivers
  to drop repeats.

The lease must outlast the slowest send (SMTP and HTTP timeouts, SMART_HTTP_TIMEOUT): a live notifier
whose send outlasts it may be taken over and the message sent twice. SMART_NOTIFY_TIME_SCALE (tests and
the chaos bench) divides the lease and the back-off steps.
"""
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smart.alerts.models import Alert

from . import episodes, render
from .models import ChatBudget, Channel, Notification
from .transports import PermanentError, TransientError

log = logging.getLogger("smart.notify")
LEASE_S = 120  # a claim older than this was left by a notifier that died
BACKOFF = (5, 15, 60, 300, 900)  # seconds after the 1st, 2nd, … failure; then every 15 min
PER_SECOND, PER_MINUTE = 1, 20


def _scale() -> float:
    return float(getattr(settings, "SMART_NOTIFY_TIME_SCALE", 1) or 1)


def lease() -> timedelta:
    return timedelta(seconds=LEASE_S / _scale())


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failure (0-based)."""
    return BACKOFF[min(attempts, len(BACKOFF) - 1)] / _scale()


def send_due(now=None, limit: int = 50) -> int:
    now = now or timezone.now()
    sent = 0
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease())
    due = (Notification.objects.filter(state=Notification.State.QUEUED, not_before__lte=now).filter(free)
           .order_by("not_before", "id").values_list("id", flat=True)[:limit])
    for notification_id in list(due):
        claimed = (Notification.objects.filter(pk=notification_id, state=Notification.State.QUEUED).filter(free)
                   .update(claimed_at=now))
        if claimed:
            sent += _deliver(Notification.objects.select_related("dealer", "route").get(pk=notification_id), now)
    return sent


def _alerts(notification) -> list:
    ids = notification.flips.values_list("alert_id", flat=True)
    return list(Alert.objects.filter(pk__in=ids).select_related("client", "installation__manager",
                                                               "online_access__manager").order_by("object_key"))


def delivery_id(notification) -> str:
    """A notification's id towards its peer: the same on every attempt, unique across database resets
    (the creation time is part of it)."""
    return f"smart.n{notification.pk}.{int(notification.created_at.timestamp())}"


def message_id(notification) -> str:
    """The e-mail Message-ID of a notification (see delivery_id)."""
    from .transports.email import make_message_id

    return make_message_id(delivery_id(notification))


def _deliver(notification, now) -> int:
    verdict = episodes.settle(notification, now)
    if verdict == "drop":  # nothing left the chat should hear: withdrawn, like a stale follow-up
        Notification.objects.filter(pk=notification.pk, state=Notification.State.QUEUED,
                                    claimed_at=notification.claimed_at).delete()
        return 0
    if verdict is not None:  # a RESOLVED whose FIRING to this chat has not gone yet
        Notification.objects.filter(pk=notification.pk, claimed_at=notification.claimed_at).update(
            claimed_at=None, not_before=verdict)
        return 0
    alerts = _alerts(notification)
    if notification.channel == Channel.TELEGRAM:
        wait = _budget_wait(notification.target)
        if wait > 0:
            Notification.objects.filter(pk=notification.pk).update(claimed_at=None, not_before=now + timedelta(seconds=wait))
            return 0
    doubt = notification.send_started_at is not None
    if doubt:
        log.warning("notification %s: the previous attempt's outcome is unknown; sending again", notification.pk)
    try:
        send, subject = _prepare(notification, alerts, doubt)
    except ValueError as err:  # cannot be rendered or sent as it is: retrying will not help
        _record_failed(notification, f"cannot send: {err}")
        return 0
    except Exception as err:  # noqa: BLE001 - a bug in rendering: keep the row for a later attempt
        log.exception("notification %s: could not be rendered", notification.pk)
        _record_retry(notification, now, TransientError(f"{type(err).__name__}: {err}"), keep_started=True)
        return 0
    started = Notification.objects.filter(pk=notification.pk, state=Notification.State.QUEUED,
                                          claimed_at=notification.claimed_at)
    if not started.update(send_started_at=timezone.now(), **({"in_doubt": True} if doubt else {})):
        return 0  # the lease went to another notifier
    try:
        external_id = send()
    except TransientError as err:
        _record_retry(notification, now, err, keep_started=err.outcome_unknown)
        return 0
    except PermanentError as err:
        _record_failed(notification, str(err))
        return 0
    except Exception as err:  # noqa: BLE001 - a bug or an unexpected answer: keep the row, send again later
        log.exception("notification %s: unexpected error while sending", notification.pk)
        _record_retry(notification, now, TransientError(f"{type(err).__name__}: {err}"), keep_started=True)
        return 0
    Notification.objects.filter(pk=notification.pk, state=Notification.State.QUEUED).update(
        state=Notification.State.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1,
        external_id=str(external_id)[:200], subject=subject[:300], last_error="")
    return 1


def _record_retry(notification, now, err: TransientError, keep_started: bool) -> None:
    """Back off and retry. `keep_started` (the peer may have acted on the request) leaves
    send_started_at set, so the next attempt knows it is in doubt."""
    delay = max(err.retry_after or 0, backoff(notification.attempts))
    if notification.channel == Channel.TELEGRAM and err.retry_after:
        ChatBudget.objects.update_or_create(chat=notification.target,
                                            defaults={"blocked_until": time.time() + err.retry_after})
    Notification.objects.filter(pk=notification.pk, state=Notification.State.QUEUED).update(
        claimed_at=None, attempts=F("attempts") + 1, last_error=str(err)[:500],
        not_before=now + timedelta(seconds=delay), **({} if keep_started else {"send_started_at": None}))
    log.warning("notification %s: transient failure, retry in %.3gs: %s", notification.pk, delay, err)


def _record_failed(notification, reason: str) -> None:
    """Stop for good; `claimed_at` stays as the time of the failing attempt (SmartNotifierDeliveryFailed
    counts failures by it)."""
    Notification.objects.filter(pk=notification.pk, state=Notification.State.QUEUED).update(
        state=Notification.State.FAILED, attempts=F("attempts") + 1, last_error=reason[:500])
    log.error("notification %s failed for good: %s", notification.pk, reason)


def _prepare(notification, alerts, doubt: bool):
    """(a call that only talks to the peer and returns the external id, the subject to keep): everything
    that can be done before the send is done here, to keep the in-flight window short."""
    if notification.channel == Channel.EMAIL:
        from .transports.email import send_email

        message = render.email(notification, alerts)
        mid = message_id(notification)
        return (lambda: send_email([notification.target], message["subject"], message["text"], message["html"],
                                   message["headers"], message_id=mid).message_id), message["subject"]
    if notification.channel == Channel.TELEGRAM:
        from .transports.telegram import TelegramClient, visible_length

        with translation.override(notification.language):
            note = _("This may repeat an earlier message whose delivery could not be confirmed.") if doubt else ""
        text = render.telegram(notification, alerts, note=note)
        if visible_length(text) > 4096:
            raise ValueError("the Telegram text is over 4096 characters")
        buttons = render.telegram_buttons(notification, alerts)

        def send():
            with TelegramClient(settings.SMART_TELEGRAM_API, settings.SMART_TELEGRAM_TOKEN) as client:
                return client.send_message(notification.target, text, buttons)

        return send, text.split("\n", 1)[0]
    from .transports.webhook import post_webhook

    payload = render.webhook(notification, alerts)
    secret = notification.route.secret if notification.route else ""
    if not secret:
        raise ValueError("the webhook route has no secret")
    delivery = delivery_id(notification)
    return (lambda: post_webhook(notification.target, payload, secret, delivery_id=delivery)), \
        f"{payload['status']} {payload['alert']}"


@transaction.atomic
def _budget_wait(chat: str) -> float:
    """Seconds to wait before this chat may get another message; records the send when it may."""
    now = time.time()
    budget, _created = ChatBudget.objects.select_for_update().get_or_create(chat=chat)
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
