"""Stage 1 of delivery: route flips into the outbox. Each flip is claimed once (compare-and-set on
`claimed_at`), and its notifications are written in the same transaction that marks it processed, so a
flip is either waiting or fully in the outbox: never half-routed, never lost.

Flips of one rule, state and target arriving within GROUP_WAIT_S share one notification (grouping)."""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from smart.alerts.models import Alert, Flip, Silence, State

from .models import Channel, Notification, Route

GROUP_WAIT_S = 2.0  # D §1.2: [FIRING:n] groups instances; short, for the 5 s trigger→outbox target
BATCH = 500


def route_pending(now=None) -> int:
    """Route every unprocessed flip; returns how many were routed."""
    now = now or timezone.now()
    done = 0
    ids = list(Flip.objects.filter(processed_at__isnull=True).order_by("id").values_list("id", flat=True)[:BATCH])
    for flip_id in ids:
        with transaction.atomic():
            if not Flip.objects.filter(pk=flip_id, claimed_at__isnull=True).update(claimed_at=now):
                continue  # another notifier has it
            flip = Flip.objects.select_related("alert", "alert__installation", "alert__online_access").get(pk=flip_id)
            for route, target in targets(flip.alert, now):
                _enqueue(route, target, flip, now)
            Flip.objects.filter(pk=flip_id).update(processed_at=now)
            done += 1
    return done


def targets(alert: Alert, now) -> list[tuple[Route, str]]:
    """(route, target) pairs that should hear of this alert, after silences, history and Count
    roll-ups (a firing Count variant takes the base alert's Telegram messages, D §1.3 #5)."""
    if alert.dealer_id is None or alert.historical or _silenced(alert, now):
        return []
    found = []
    rolled_up = None
    for route in Route.objects.filter(dealer_id=alert.dealer_id, enabled=True):
        if not route.wants(alert.priority, alert.category):
            continue
        if route.channel == Channel.TELEGRAM:
            if rolled_up is None:
                rolled_up = _count_firing(alert)
            if rolled_up:
                continue
        for target in _route_targets(route, alert):
            found.append((route, target))
    return found


def _route_targets(route: Route, alert: Alert) -> list[str]:
    if route.to_manager:
        owner = alert.installation or alert.online_access
        manager = getattr(owner, "manager", None)
        extra = [a.strip() for a in (getattr(owner, "alert_emails", "") or "").split(",") if a.strip()]
        return ([manager.email] if manager and manager.email else []) + extra
    if route.channel == Channel.EMAIL:
        return [a.strip() for a in route.target.split(",") if a.strip()]
    return [route.target] if route.target else []


def _silenced(alert: Alert, now) -> bool:
    silences = Silence.objects.filter(dealer_id=alert.dealer_id, starts_at__lte=now, ends_at__gt=now)
    for s in silences:
        if (not s.rule or s.rule == alert.rule) and (s.installation_id in (None, alert.installation_id)) \
                and (s.client_id in (None, alert.client_id)):
            return True
    return False


def _count_firing(alert: Alert) -> bool:
    from smart.alerts.catalogue import load

    rule = load().get(alert.rule)
    variant = rule.count_variant if rule else None
    return bool(variant) and Alert.objects.filter(rule=variant, state=State.FIRING,
                                                  object_key__in=(f"d{alert.dealer_id}", "platform")).exists()


def _enqueue(route: Route, target: str, flip: Flip, now) -> None:
    open_group = (Notification.objects.select_for_update()
                  .filter(route=route, target=target, rule=flip.alert.rule, new_state=flip.new_state,
                          state=Notification.State.QUEUED, attempts=0, claimed_at__isnull=True,
                          created_at__gte=now - timedelta(seconds=GROUP_WAIT_S)).first())
    if open_group is None:
        open_group = Notification.objects.create(
            dealer_id=flip.alert.dealer_id, route=route, channel=route.channel, target=target, language=route.language,
            rule=flip.alert.rule, new_state=flip.new_state, created_at=now,
            not_before=now + timedelta(seconds=GROUP_WAIT_S))
    open_group.flips.add(flip)
