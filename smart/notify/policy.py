"""The delivery policy of D §1.2 and R-C4, in the dealer's own time zone (NotifyPolicy, or its defaults
when the dealer has no row):

- P1 goes out at once, 24/7, on every channel its rule allows.
- Telegram carries only the alerts whose catalogue entry lists Telegram (P1/P2, plus online billing);
  e-mail and webhooks carry every priority a route wants.
- Below P1, a Telegram message queued in quiet hours waits for `morning_at` unless the dealer opted in
  to night delivery. E-mail and webhooks are never held.
- P4 goes to e-mail as one daily digest per alert name, sent at `morning_at`.
- Re-notify intervals: P1 hourly, P2 daily, P3 at most once a day, P4 never.
- An unacknowledged P1 escalates `escalate_after_s` after it fired (or after its snooze ended); when that
  moment falls in quiet hours it waits for `morning_at` ("at 07:30 for night events", R-C4).
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smart.alerts.catalogue import load

from .models import Channel, NotifyPolicy

DEFAULT_ZONE = "Europe/Moscow"
RENOTIFY_EVERY = {"P1": timedelta(hours=1), "P2": timedelta(days=1), "P3": timedelta(days=1)}
MORNING_PRIORITIES = ("P1", "P2")  # the ones that get a morning reminder (R-C4)
TELEGRAM_BY_DEFAULT = ("P1", "P2")  # for rules the catalogue does not know (custom rules)
DIGEST_PRIORITY = "P4"


class Policies:
    """Each dealer's NotifyPolicy, read once per pass; a dealer without a row gets the defaults."""

    def __init__(self):
        self._cache: dict[int, NotifyPolicy] = {}

    def get(self, dealer_id: int) -> NotifyPolicy:
        if dealer_id not in self._cache:
            self._cache[dealer_id] = (NotifyPolicy.objects.filter(dealer_id=dealer_id).first()
                                      or NotifyPolicy(dealer_id=dealer_id))
        return self._cache[dealer_id]


def zone(policy: NotifyPolicy) -> ZoneInfo:
    try:
        return ZoneInfo(policy.time_zone or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def local_date(policy: NotifyPolicy, at: datetime) -> date:
    return at.astimezone(zone(policy)).date()


def at_local(policy: NotifyPolicy, day: date, wall: time) -> datetime:
    """The moment `day` `wall` happens in the dealer's zone."""
    return datetime.combine(day, wall, tzinfo=zone(policy))


def next_local(policy: NotifyPolicy, at: datetime, wall: time) -> datetime:
    """The first moment at or after `at` when the dealer's clock shows `wall`."""
    moment = at_local(policy, local_date(policy, at), wall)
    return moment if moment >= at else at_local(policy, local_date(policy, at) + timedelta(days=1), wall)


def in_quiet(policy: NotifyPolicy, at: datetime) -> bool:
    start, end = policy.quiet_start, policy.quiet_end
    wall = at.astimezone(zone(policy)).time()
    if start == end:
        return False  # no quiet hours
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end  # over midnight, the usual 22:00-07:00


def release(policy: NotifyPolicy, at: datetime) -> datetime:
    """When something that must not go out in quiet hours may go: `at` itself outside them, else the next
    `morning_at` (or the end of quiet hours, if `morning_at` is set inside them)."""
    if not in_quiet(policy, at):
        return at
    morning = next_local(policy, at, policy.morning_at)
    return morning if not in_quiet(policy, morning) else next_local(policy, at, policy.quiet_end)


def allows(channel: str, rule: str, priority: str) -> bool:
    """May this channel carry the alert at all? Telegram only gets what its catalogue entry lists."""
    if channel != Channel.TELEGRAM:
        return True
    found = load().get(rule)
    return "telegram" in found.channels_default if found else priority in TELEGRAM_BY_DEFAULT


def not_before(policy: NotifyPolicy, channel: str, priority: str, at: datetime) -> datetime:
    """When a message queued at `at` may be sent: Telegram below P1 waits out quiet hours unless the dealer
    opted in to night delivery; everything else goes at once."""
    if channel != Channel.TELEGRAM or priority == "P1" or policy.night_delivery:
        return at
    return release(policy, at)


def digest_at(policy: NotifyPolicy, at: datetime) -> datetime:
    """When the daily P4 digest that a flip routed at `at` joins is sent: the next `morning_at`."""
    moment = next_local(policy, at, policy.morning_at)
    return moment if moment > at else moment + timedelta(days=1)


def escalation_due(policy: NotifyPolicy, alert) -> datetime | None:
    """When an unacknowledged P1 escalates: `escalate_after_s` after it fired, or after its snooze ended
    (a snooze is an answer, but only until it runs out); moved out of quiet hours to the morning."""
    if alert.priority != "P1" or not alert.fired_at:
        return None
    start = max(alert.fired_at, alert.snoozed_until or alert.fired_at)
    return release(policy, start + timedelta(seconds=policy.escalate_after_s))


def night_before(policy: NotifyPolicy, morning: datetime) -> tuple[datetime, datetime]:
    """The night that ends on the morning `morning`: (start of quiet hours, end of quiet hours). Without
    quiet hours, the 24 hours before the morning."""
    day = local_date(policy, morning)
    if policy.quiet_start == policy.quiet_end:
        return morning - timedelta(days=1), morning
    end = at_local(policy, day, policy.quiet_end)
    if end > morning:  # quiet hours end after morning_at (odd but allowed): the night is the previous one
        end -= timedelta(days=1)
    start = at_local(policy, local_date(policy, end), policy.quiet_start)
    if start >= end:
        start = at_local(policy, local_date(policy, end) - timedelta(days=1), policy.quiet_start)
    return start, end
