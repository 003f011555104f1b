"""The lifecycle of alert instances: pending → firing → resolved, with `for` durations, hysteresis on
resolve, inhibition holding an instance in pending, and a flip row for every firing and resolved change.

`apply(rule, observations, scope, now)` is told, for one rule, every object where the condition holds now
within `scope` (the objects this evaluation is authoritative for: one installation after its report,
or everything in a periodic pass); objects in scope that are not observed are recovering.
"""
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from .models import Alert, Flip, State


@dataclass
class Observation:
    object_key: str
    at: datetime  # when the condition was seen (the report's time for a backlog)
    since: datetime | None = None  # when it began, if the source knows (a check failing since …)
    value: str = ""
    detail: str = ""
    dealer_id: int | None = None
    installation_id: int | None = None
    online_access_id: int | None = None
    client_id: int | None = None
    labels: dict = field(default_factory=dict)
    historical: bool = False


@dataclass
class RuleSpec:
    """What the lifecycle needs of a catalogue rule."""

    name: str
    for_s: float = 0
    resolve_after: int = 1  # evaluations in a row without the condition before RESOLVED
    priority: str = "P3"
    legacy_priority: str = "K3"
    importance: str = "info"
    category: str = ""


def fingerprint(rule: str, object_key: str) -> str:
    return hashlib.sha1(f"{rule}|{object_key}".encode()).hexdigest()


@transaction.atomic
def apply(rule: RuleSpec, observations: list[Observation], scope: dict | None, now: datetime,
          inhibited: dict[str, str] | None = None) -> list[Flip]:
    """Update the rule's instances in `scope` (a filter on Alert, None = all) from what was observed.
    `inhibited` maps object keys to the firing rule that holds them back (they stay pending)."""
    inhibited = inhibited or {}
    rows = Alert.objects.select_for_update().filter(rule=rule.name, **(scope or {}))
    existing = {a.object_key: a for a in rows}
    seen = {}
    for obs in observations:
        if obs.object_key in seen:
            continue
        seen[obs.object_key] = obs
        alert = existing.get(obs.object_key)
        if alert is None:
            alert = existing[obs.object_key] = Alert(rule=rule.name, object_key=obs.object_key,
                                                     fingerprint=fingerprint(rule.name, obs.object_key),
                                                     pending_since=obs.since or obs.at, last_seen_at=obs.at)
        elif alert.state == State.RESOLVED:
            _reopen(alert, obs.since if obs.since and obs.since > alert.resolved_at else obs.at)
        _observe(alert, rule, obs, inhibited.get(obs.object_key, ""))
    flips = []
    for key, alert in existing.items():
        obs = seen.get(key)
        if obs is not None:
            if alert.state == State.PENDING and not alert.inhibited_by and \
                    (obs.at - alert.pending_since).total_seconds() >= rule.for_s:
                alert.state, alert.fired_at = State.FIRING, obs.at
                flips.append(Flip(alert=alert, new_state=State.FIRING, at=obs.at))
        elif alert.state == State.PENDING:
            alert.state, alert.resolved_at = State.RESOLVED, now  # never fired: nothing to tell
        elif alert.state == State.FIRING:
            alert.resolve_streak += 1
            if alert.resolve_streak >= rule.resolve_after:
                alert.state, alert.resolved_at = State.RESOLVED, now
                flips.append(Flip(alert=alert, new_state=State.RESOLVED, at=now))
        else:
            continue
        alert.save()
    Flip.objects.bulk_create(flips)
    return flips


def _reopen(alert: Alert, at: datetime) -> None:
    alert.state, alert.pending_since = State.PENDING, at
    alert.fired_at = alert.resolved_at = alert.acknowledged_at = alert.snoozed_until = alert.escalated_at = None
    alert.acknowledged_by = None


def _observe(alert: Alert, rule: RuleSpec, obs: Observation, inhibitor: str) -> None:
    alert.last_seen_at, alert.resolve_streak = obs.at, 0
    alert.value, alert.detail = obs.value[:200], obs.detail
    alert.dealer_id, alert.installation_id = obs.dealer_id, obs.installation_id
    alert.online_access_id, alert.client_id = obs.online_access_id, obs.client_id
    alert.labels, alert.historical, alert.inhibited_by = obs.labels, obs.historical, inhibitor
    alert.priority, alert.legacy_priority = rule.priority, rule.legacy_priority
    alert.importance, alert.category = rule.importance, rule.category
