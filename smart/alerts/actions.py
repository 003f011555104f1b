"""What a person does to a firing alert (D §1.6 AL-4, R-C4): acknowledge it (once per firing episode: the
time to acknowledge is measured from `fired_at`), take the acknowledgement back, or snooze it until a
time (re-notify and escalation wait for `snoozed_until`).

Every action is a single compare-and-set UPDATE, so it is idempotent and safe beside the lifecycle
and other people pressing the same button: of two acknowledgements of one episode, the first wins.

The same actions come signed in links and buttons (e-mail, Telegram) for people who are not logged in:
`make_token()` / `read_token()` carry the action, the notification or alert, a digest of the alerts'
fingerprints (a link never acts on other alerts that reuse an id) and an expiry.
"""
import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from .models import Alert, State

VIA = ("ui", "email", "telegram", "cli")
ACTIONS = ("ack", "snooze1h", "snooze_morning", "unack")
TOKEN_SALT = "smart.alerts.actions"
LINK_TTL_S = 7 * 86400  # a link in an e-mail works for a week (SMART_ACTION_LINK_TTL_S overrides)


@dataclass
class Outcome:
    """The result of an action on one alert: `done` when this call changed it; otherwise `reason`
    says why not (already acknowledged, not firing, …)."""

    alert: Alert
    done: bool
    reason: str = ""


def _check_via(via: str) -> None:
    if via not in VIA:
        raise ValueError(f"via must be one of {', '.join(VIA)}, not {via!r}")


def acknowledge(alert: Alert, user=None, via: str = "ui", now: datetime | None = None) -> Outcome:
    """Acknowledge a firing alert: sets acknowledged_at/by/via and tta_s = now - fired_at, once per
    firing episode (a second call, or one for an episode that ended, changes nothing)."""
    _check_via(via)
    now = now or timezone.now()
    alert.refresh_from_db()
    if alert.state != State.FIRING or alert.fired_at is None:
        return Outcome(alert, False, "not_firing")
    if alert.acknowledged_at is not None:
        return Outcome(alert, False, "already")
    tta = max(0.0, (now - alert.fired_at).total_seconds())
    changed = (Alert.objects.filter(pk=alert.pk, state=State.FIRING, fired_at=alert.fired_at,
                                    acknowledged_at__isnull=True)
               .update(acknowledged_at=now, acknowledged_by=user, acknowledged_via=via, tta_s=tta))
    alert.refresh_from_db()
    return Outcome(alert, bool(changed), "" if changed else "already")


def unacknowledge(alert: Alert, user=None, via: str = "ui", now: datetime | None = None) -> Outcome:
    """Take an acknowledgement back (re-notify and escalation resume); the next acknowledgement of the
    episode measures tta_s again from fired_at."""
    _check_via(via)
    alert.refresh_from_db()
    if alert.acknowledged_at is None:
        return Outcome(alert, False, "not_acknowledged")
    changed = (Alert.objects.filter(pk=alert.pk, acknowledged_at=alert.acknowledged_at)
               .update(acknowledged_at=None, acknowledged_by=None, acknowledged_via="", tta_s=None))
    alert.refresh_from_db()
    return Outcome(alert, bool(changed), "" if changed else "not_acknowledged")


def snooze(alert: Alert, until: datetime | None, user=None, via: str = "ui", now: datetime | None = None) -> Outcome:
    """Hold re-notify and escalation of a firing alert until `until` (None ends a snooze). Snoozing to the
    time it is already snoozed to changes nothing."""
    _check_via(via)
    now = now or timezone.now()
    if until is not None and until <= now:
        raise ValueError("a snooze must end in the future")
    alert.refresh_from_db()
    if until is not None and (alert.state != State.FIRING or alert.fired_at is None):
        return Outcome(alert, False, "not_firing")
    if alert.snoozed_until == until:
        return Outcome(alert, False, "already")
    changed = Alert.objects.filter(pk=alert.pk, fired_at=alert.fired_at).update(snoozed_until=until)
    alert.refresh_from_db()
    return Outcome(alert, bool(changed), "" if changed else "not_firing")


def next_morning(dealer_id: int | None, now: datetime | None = None) -> datetime:
    """The dealer's next morning delivery time (NotifyPolicy.morning_at in its time zone; 07:30
    Europe/Moscow without a policy), after `now`."""
    from smart.notify import policy

    return policy.digest_at(policy.Policies().get(dealer_id), now or timezone.now())


def perform(action: str, alert: Alert, user=None, via: str = "ui", now: datetime | None = None) -> Outcome:
    """One of ACTIONS on one alert (a link or a button names the action, not the time)."""
    now = now or timezone.now()
    if action == "ack":
        return acknowledge(alert, user, via, now)
    if action == "unack":
        return unacknowledge(alert, user, via, now)
    if action == "snooze1h":
        return snooze(alert, now + timedelta(hours=1), user, via, now)
    if action == "snooze_morning":
        return snooze(alert, next_morning(alert.dealer_id, now), user, via, now)
    raise ValueError(f"unknown action {action!r}")


# ---- signed links ------------------------------------------------------------------------------------

class LinkExpired(Exception):
    """The link was genuine but its time is over."""


class LinkInvalid(Exception):
    """The link was not made by this SMART (tampered, truncated, or signed with another key)."""


def fingerprint_digest(alerts) -> str:
    """A short digest of the alerts' fingerprints: a link acts only on the alerts it was made for."""
    joined = "|".join(sorted(a.fingerprint for a in alerts))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def make_token(action: str, *, notification=None, alerts=(), alert: Alert | None = None,
               ttl_s: float | None = None, now: float | None = None) -> str:
    """A signed token for `action` on every alert of `notification` (whose alerts are `alerts`) or on
    one `alert`, valid for `ttl_s` seconds."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if (notification is None) == (alert is None):
        raise ValueError("a token is for a notification or for one alert")
    ttl = ttl_s if ttl_s is not None else getattr(settings, "SMART_ACTION_LINK_TTL_S", LINK_TTL_S)
    payload = {"a": action, "e": int((now or time.time()) + ttl)}
    if notification is not None:
        payload |= {"n": notification.pk, "f": fingerprint_digest(alerts)}
    else:
        payload |= {"al": alert.pk, "f": alert.fingerprint[:16],
                    "t": int(alert.fired_at.timestamp()) if alert.fired_at else 0}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def read_token(token: str, now: float | None = None) -> dict:
    """The payload of a genuine, unexpired token; LinkInvalid or LinkExpired otherwise."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise LinkInvalid(token) from None
    if not isinstance(payload, dict) or payload.get("a") not in ACTIONS or not isinstance(payload.get("e"), int):
        raise LinkInvalid(token)
    if payload["e"] < (now or time.time()):
        raise LinkExpired(token)
    return payload


def alerts_of(notification) -> list[Alert]:
    """The alerts a notification is about (through its flips)."""
    return list(Alert.objects.filter(flips__notifications=notification).distinct().order_by("object_key"))


def token_alerts(payload: dict) -> tuple[object | None, list[Alert]]:
    """(the notification or None, the alerts) a genuine token names; LinkInvalid when they are gone or
    are no longer the alerts it was made for."""
    if "n" in payload:
        from smart.notify.models import Notification

        notification = Notification.objects.filter(pk=payload["n"]).first()
        if notification is None:
            raise LinkInvalid("notification gone")
        alerts = alerts_of(notification)
        if not alerts or fingerprint_digest(alerts) != payload.get("f"):
            raise LinkInvalid("the alerts changed")
        return notification, alerts
    alert = Alert.objects.filter(pk=payload.get("al")).first()
    if alert is None or alert.fingerprint[:16] != payload.get("f"):
        raise LinkInvalid("alert gone")
    return None, [alert]


def perform_for(payload: dict, notification, alerts: list[Alert], user=None, via: str = "email",
                now: datetime | None = None) -> list[Outcome]:
    """Perform a token's action on its alerts. An alert that fired again after the message was queued
    (or the one-alert link was made) is left alone: the link was about the previous episode."""
    now = now or timezone.now()
    outcomes = []
    for alert in alerts:
        if _newer_episode(payload, notification, alert):
            outcomes.append(Outcome(alert, False, "newer_episode"))
            continue
        outcomes.append(perform(payload["a"], alert, user, via, now))
    return outcomes


def _newer_episode(payload: dict, notification, alert: Alert) -> bool:
    if alert.fired_at is None:
        return False
    if notification is not None:
        return alert.fired_at > notification.created_at
    return bool(payload.get("t")) and int(alert.fired_at.timestamp()) != payload["t"]
