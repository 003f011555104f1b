"""Stage 1 of delivery: route flips into the outbox. Each flip is claimed once (compare-and-set on
`claimed_at`), and its notifications are written in the same transaction that marks it processed, so a
flip is either waiting or fully in the outbox: never half-routed, never lost.

Flips of one rule, state and target arriving within GROUP_WAIT_S share one notification (grouping).
The delivery policy (policy.py) decides when each may go: a Telegram message held for the morning joins
the other held messages of its rule and state; a P4 flip joins its rule's daily e-mail digest; a flip of
a historical alert (a closed network's backlog) joins its route's historical digest instead of a live
FIRING/RESOLVED message; a flip of a base alert covered by a firing Count roll-up joins its address's
Count digest instead of an e-mail per grouping window, and is not sent to chats (rollups.py). A chat
gets a RESOLVED only when it was told of the episode's FIRING (episodes.py)."""
import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from smart.alerts.models import Alert, Flip, Silence, State

from . import episodes, policy, rollups
from .models import Channel, Notification, Route

GROUP_WAIT_S = 2.0  # D §1.2: [FIRING:n] groups instances; short, for the 5 s trigger→outbox target
HISTORICAL_WAIT_S = 60.0  # a backlog batch is over when no flip of it came for this long …
HISTORICAL_MAX_WAIT_S = 600.0  # … or this long after it began, so that a trickle still gets out
HISTORICAL_MIXED = "SmartHistoricalDigest"  # the rule name of a historical digest of several rules
BATCH = 500


def route_pending(now=None) -> int:
    """Route every unprocessed flip; returns how many were routed."""
    now = now or timezone.now()
    done = 0
    policies = policy.Policies()
    ids = list(Flip.objects.filter(processed_at__isnull=True).order_by("id").values_list("id", flat=True)[:BATCH])
    for flip_id in ids:
        with transaction.atomic():
            if not Flip.objects.filter(pk=flip_id, claimed_at__isnull=True).update(claimed_at=now):
                continue  # another notifier has it
            flip = Flip.objects.select_related("alert", "alert__installation", "alert__online_access").get(pk=flip_id)
            found = targets(flip.alert, now, flip)
            for route, target in found:
                _enqueue(route, target, flip, now, policies.get(flip.alert.dealer_id))
            if found and flip.new_state == State.FIRING and not flip.alert.historical:
                Alert.objects.filter(pk=flip.alert_id).update(last_notified_at=now)
            if flip.new_state == State.RESOLVED and rollups.count_rule(flip.alert.rule):
                rollups.release(flip.alert, now)
            Flip.objects.filter(pk=flip_id).update(processed_at=now)
            done += 1
    return done


def targets(alert: Alert, now, flip=None) -> list[tuple[Route | None, str]]:
    """(route, target) pairs that should hear of this alert (of its `flip`, when routing one; else of a
    FIRING follow-up), after silences, the channel policy and Count roll-ups (a firing Count variant takes
    the base alert's Telegram messages, D §1.3 #5). A chat hears a RESOLVED only if it was told of the
    episode's FIRING. A platform alert (no dealer) goes to SMART operations by e-mail: the route is None."""
    if alert.dealer_id is None:
        return [(None, target) for target in ops_emails()]
    if _silenced(alert, now):
        return []
    resolved = flip is not None and flip.new_state == State.RESOLVED
    found = []
    for route in Route.objects.filter(dealer_id=alert.dealer_id, enabled=True).order_by("id"):
        if not route.wants(alert.priority, alert.category) or \
                not policy.allows(route.channel, alert.rule, alert.priority):
            continue
        chat = route.channel == Channel.TELEGRAM and not alert.historical
        if chat and not resolved and rollups.covering(alert):
            continue
        for target in _route_targets(route, alert):
            if chat and resolved and not episodes.told(flip, target):
                continue
            found.append((route, target))
    return found


def ops_emails() -> list[str]:
    """SMART_OPS_EMAIL (comma-separated), or else every active SMART operator's e-mail."""
    from smart.registry.models import Role, User

    configured = addresses(settings.SMART_OPS_EMAIL)
    if configured:
        return configured
    return list(User.objects.filter(role=Role.OPERATOR, is_active=True).exclude(email="")
                .order_by("id").values_list("email", flat=True))


def addresses(text: str) -> list[str]:
    """A comma-separated list of e-mail addresses (routes, per-object alert e-mails, contacts)."""
    return [a.strip() for a in (text or "").split(",") if a.strip()]


def channel_of(route: Route | None) -> tuple[str, str]:
    """(channel, language) of a route; SMART operations (no route) read e-mail in Russian."""
    return (route.channel, route.language) if route else (Channel.EMAIL, "ru")


def _route_targets(route: Route, alert: Alert) -> list[str]:
    if route.to_manager:
        owner = alert.installation or alert.online_access
        manager = getattr(owner, "manager", None)
        extra = addresses(getattr(owner, "alert_emails", ""))
        return ([manager.email] if manager and manager.email else []) + extra
    if route.channel == Channel.EMAIL:
        return addresses(route.target)
    return [route.target] if route.target else []


def _silenced(alert: Alert, now) -> bool:
    silences = Silence.objects.filter(dealer_id=alert.dealer_id, starts_at__lte=now, ends_at__gt=now)
    for s in silences:
        if (not s.rule or s.rule == alert.rule) and (s.installation_id in (None, alert.installation_id)) \
                and (s.client_id in (None, alert.client_id)):
            return True
    return False


def route_key(route: Route | None) -> str:
    return str(route.pk) if route else "ops"


def target_hash(target: str) -> str:
    """A short stable name of a target for dedupe keys (an address list can be long)."""
    return hashlib.sha1(target.encode()).hexdigest()[:12]


def _enqueue(route: Route | None, target: str, flip: Flip, now, dealer_policy) -> None:
    alert = flip.alert
    channel, _ = channel_of(route)
    if alert.historical:
        _enqueue_historical(route, target, flip, now, dealer_policy)
    elif channel == Channel.EMAIL and alert.priority == policy.DIGEST_PRIORITY:
        _join(route, target, flip, now, kind="daily", not_before=policy.digest_at(dealer_policy, now))
    elif channel == Channel.EMAIL and rollups.covering(alert):  # the open Count digest, whenever it is due
        _join(route, target, flip, now, kind=rollups.KIND, not_before=rollups.due(now), any_due=True)
    else:
        held = policy.not_before(dealer_policy, channel, alert.priority, now)
        if held > now:  # quiet hours: one morning message per rule and state
            _join(route, target, flip, now, kind="alert", not_before=held, held_until=held)
        else:
            _join(route, target, flip, now, kind="alert", not_before=now + timedelta(seconds=GROUP_WAIT_S),
                  created_at__gte=now - timedelta(seconds=GROUP_WAIT_S),
                  not_before__lte=now + timedelta(seconds=GROUP_WAIT_S))


def _open(route: Route | None, target: str, kind: str, **match):
    """The notification a new flip may still join: queued, never tried, not claimed by a sender."""
    return (Notification.objects.select_for_update()
            .filter(route=route, target=target, kind=kind, state=Notification.State.QUEUED, attempts=0,
                    claimed_at__isnull=True, **match).order_by("id").first())


def _join(route: Route | None, target: str, flip: Flip, now, kind: str, not_before, held_until=None,
          any_due: bool = False, **window) -> None:
    """Add the flip to the open group of its rule and state due at `not_before` (with `window`: the one
    opened within it; with `any_due`: whenever it is due), or open one (`held_until`: held for that
    morning by quiet hours)."""
    match = {} if any_due else window or {"not_before": not_before}
    group = _open(route, target, kind, rule=flip.alert.rule, new_state=flip.new_state, **match)
    if group is None:
        channel, language = channel_of(route)
        group = Notification.objects.create(
            dealer_id=flip.alert.dealer_id, route=route, channel=channel, target=target, language=language,
            rule=flip.alert.rule, new_state=flip.new_state, kind=kind, created_at=now, not_before=not_before,
            held_until=held_until)
    group.flips.add(flip)


def _enqueue_historical(route: Route | None, target: str, flip: Flip, now, dealer_policy) -> None:
    """A backlog's flips become one digest per route and target: the batch waits until no new flip came
    for HISTORICAL_WAIT_S (at most HISTORICAL_MAX_WAIT_S), then out of quiet hours for Telegram."""
    alert = flip.alert
    channel, language = channel_of(route)
    group = _open(route, target, "historical")
    if group is None:  # a batch is named by its first flip: no two batches of one target start alike
        key = f"historical:{route_key(route)}:{target_hash(target)}:{flip.pk}"
        group = Notification(dealer_id=alert.dealer_id, route=route, channel=channel, target=target,
                             language=language, rule=alert.rule, new_state=State.RESOLVED, kind="historical",
                             created_at=now, dedupe_key=key)
    settle = min(now + timedelta(seconds=HISTORICAL_WAIT_S),
                 group.created_at + timedelta(seconds=HISTORICAL_MAX_WAIT_S))
    group.not_before = policy.not_before(dealer_policy, channel, "", settle)  # never urgent: it is the past
    if group.rule != alert.rule:
        group.rule = HISTORICAL_MIXED
    if alert.state == State.FIRING:  # "[FIRING:n]" while any of the batch is still firing
        group.new_state = State.FIRING
    group.save()
    group.flips.add(flip)
