"""Follow-ups of a firing alert (D §1.2, R-C4, AL-4), run from the notifier's loop:

- re-notify ("renotify"): P1 hourly, P2 daily, P3 at most once a day, P4 never; only while the alert is
  unacknowledged and not snoozed. Rounds are counted from `fired_at`; a round that passed while snoozed
  or while the notifier was down is not made up, the current one is sent once.
- escalation ("escalation"): a P1 unacknowledged `escalate_after_s` after it fired (or after its snooze
  ran out) goes to the policy's `escalate_to`, once per firing episode (`Alert.escalated_at`); when that
  moment falls in quiet hours, at `morning_at` instead (R-C4: "at 07:30 for night events").
- morning reminder ("reminder"): at `morning_at` dealer-local, once per local date, for a P1/P2 still
  firing that fired before the night ended and was snoozed over the night, acknowledged during it, or is
  a P1 nobody acknowledged (the P1 row's "once more at start of business day"). A snooze that runs past
  `morning_at` delays the reminder to its end.
- a base alert covered by its firing Count roll-up gets none of these: the Count's stand for it.
- withdrawal: a follow-up still queued (a re-notify held for the morning) whose alert resolved meanwhile,
  or (re-notify, escalation) was acknowledged meanwhile, would say something no longer true: it is
  dropped before it is sent.

Each follow-up is claimed with a compare-and-set on the alert (`last_notified_at`, `escalated_at`,
`reminded_at`) in the transaction that writes its notifications, and every notification carries a
dedupe key that the database keeps unique: two notifiers or a restart never send one twice.
A follow-up carries the alert's latest FIRING flip, so it renders like the original message."""
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from smart.alerts.models import Alert, State

from . import policy, rollups
from .models import Channel, Notification, Route
from .outbox import addresses, channel_of, route_key, target_hash, targets


FOLLOW_UPS = ("renotify", "escalation", "reminder")


def run_reminders(now=None) -> int:
    """One pass over the firing alerts; returns how many notifications were queued."""
    now = now or timezone.now()
    withdraw_stale()
    policies = policy.Policies()
    queued, counts = 0, {}
    firing = (Alert.objects.filter(state=State.FIRING, historical=False, inhibited_by="",
                                   fired_at__isnull=False, priority__in=tuple(policy.RENOTIFY_EVERY))
              .select_related("installation__manager", "online_access__manager").order_by("id"))
    for alert in firing.iterator():
        if rollups.covering(alert, counts):
            continue  # a firing Count roll-up's own follow-ups stand for its hosts (rollups.py)
        terms = policies.get(alert.dealer_id)
        # the morning reminder first: it stands for the re-notify round it falls in
        queued += remind(alert, terms, now) + escalate(alert, terms, now) + renotify(alert, terms, now)
    return queued


@transaction.atomic
def withdraw_stale() -> int:
    """Drop queued follow-ups that no sender has claimed and whose alert is no longer firing (or, but for
    the morning reminder, was acknowledged); returns how many. Locked, so no sender claims one meanwhile."""
    over = ~Q(flips__alert__state=State.FIRING)
    answered = Q(flips__alert__acknowledged_at__isnull=False) & ~Q(kind="reminder")
    stale = list(Notification.objects.filter(kind__in=FOLLOW_UPS, state=Notification.State.QUEUED,
                                             claimed_at__isnull=True).filter(over | answered)
                 .values_list("id", flat=True).distinct())
    if not stale:
        return 0
    locked = list(Notification.objects.select_for_update().filter(pk__in=stale, claimed_at__isnull=True)
                  .values_list("id", flat=True))
    _, deleted = Notification.objects.filter(pk__in=locked).delete()
    return deleted.get(Notification._meta.label, 0)


def _snoozed(alert: Alert, now) -> bool:
    return bool(alert.snoozed_until and alert.snoozed_until > now)


def _episode(alert: Alert) -> int:
    return int(alert.fired_at.timestamp())


def _claim(alert: Alert, now):
    """The alert, still in the same firing episode and not snoozed, for a compare-and-set update."""
    return (Alert.objects.filter(pk=alert.pk, state=State.FIRING, fired_at=alert.fired_at)
            .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now)))


def renotify(alert: Alert, dealer_policy, now) -> int:
    every = policy.RENOTIFY_EVERY.get(alert.priority)
    if every is None or alert.acknowledged_at or _snoozed(alert, now):
        return 0
    rounds = int((now - alert.fired_at) / every)
    if rounds < 1:
        return 0
    round_start = alert.fired_at + rounds * every
    if alert.last_notified_at and alert.last_notified_at >= round_start:
        return 0
    claim = (_claim(alert, now).filter(acknowledged_at__isnull=True)
             .filter(Q(last_notified_at__isnull=True) | Q(last_notified_at__lt=round_start)))
    return _queue(alert, dealer_policy, now, "renotify", f"renotify:{alert.pk}:{_episode(alert)}:{rounds}", claim,
                  last_notified_at=now)


def escalate(alert: Alert, dealer_policy, now) -> int:
    contact = (dealer_policy.escalate_to or "").strip()
    if not contact or alert.acknowledged_at or alert.escalated_at or _snoozed(alert, now):
        return 0
    due = policy.escalation_due(dealer_policy, alert)
    if due is None or now < due:
        return 0
    flip = _latest_firing(alert)
    claim = _claim(alert, now).filter(acknowledged_at__isnull=True, escalated_at__isnull=True)
    contacts = addresses(contact) if dealer_policy.escalate_channel == Channel.EMAIL else [contact]
    language = Route.objects.filter(dealer_id=alert.dealer_id).order_by("id").values_list("language", flat=True).first()
    rows = [Notification(dealer_id=alert.dealer_id, route=None, channel=dealer_policy.escalate_channel, target=target,
                         language=language or "ru", rule=alert.rule, new_state=State.FIRING, kind="escalation",
                         created_at=now, not_before=now,
                         dedupe_key=f"escalation:{alert.pk}:{_episode(alert)}:{target_hash(target)}")
            for target in contacts]
    return _write(rows, flip, claim, escalated_at=now)


def remind(alert: Alert, dealer_policy, now) -> int:
    if alert.priority not in policy.MORNING_PRIORITIES or _snoozed(alert, now) or policy.in_quiet(dealer_policy, now):
        return 0
    day = policy.local_date(dealer_policy, now)
    morning = policy.at_local(dealer_policy, day, dealer_policy.morning_at)
    if now < morning or (alert.reminded_at and alert.reminded_at >= morning):
        return 0
    night_start, night_end = policy.night_before(dealer_policy, morning)
    if alert.fired_at >= night_end:
        return 0  # it began after the night: the live messages and re-notifies cover it
    snoozed_overnight = bool(alert.snoozed_until and alert.snoozed_until > night_start)
    acknowledged_overnight = bool(alert.acknowledged_at and night_start <= alert.acknowledged_at < morning)
    unacknowledged_p1 = alert.priority == "P1" and not alert.acknowledged_at
    if not (snoozed_overnight or acknowledged_overnight or unacknowledged_p1):
        return 0
    claim = _claim(alert, now).filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=morning))
    key = f"reminder:{alert.pk}:{day.isoformat()}"
    return _queue(alert, dealer_policy, now, "reminder", key, claim, reminded_at=now, last_notified_at=now)


def _latest_firing(alert: Alert):
    return alert.flips.filter(new_state=State.FIRING).order_by("-at", "-id").first()


def _queue(alert: Alert, dealer_policy, now, kind: str, key: str, claim, **marks) -> int:
    """Queue a follow-up to every route target that hears of the alert, as its channel policy allows."""
    rows = []
    for route, target in targets(alert, now):
        channel, language = channel_of(route)
        rows.append(Notification(dealer_id=alert.dealer_id, route=route, channel=channel, target=target,
                                 language=language, rule=alert.rule, new_state=State.FIRING, kind=kind,
                                 created_at=now, dedupe_key=f"{key}:{route_key(route)}:{target_hash(target)}",
                                 not_before=policy.not_before(dealer_policy, channel, alert.priority, now)))
    return _write(rows, _latest_firing(alert), claim, **marks)


def _write(rows: list[Notification], flip, claim, **marks) -> int:
    """Claim the follow-up on the alert and write its notifications, all or nothing."""
    if flip is None:
        return 0  # nothing to render it from (a FIRING without its flip cannot happen through the lifecycle)
    try:
        with transaction.atomic():
            if not claim.update(**marks):
                return 0  # acknowledged, snoozed, resolved or already done meanwhile
            for row in rows:
                row.save()
                row.flips.add(flip)
    except IntegrityError:
        return 0  # another notifier wrote the same dedupe keys first
    return len(rows)
