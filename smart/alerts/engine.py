"""Evaluation: for each catalogue rule whose condition kind is supported, find where it holds now
(conditions), and move its instances through the lifecycle. Inhibitors are evaluated before the rules
they hold back, and Count roll-ups after their base rules, so one pass sees a consistent picture."""
import logging
from datetime import datetime, timezone
from functools import cache

from .conditions import observe, supported
from .conditions.scope import Scope
from .lifecycle import RuleSpec, apply
from .models import Alert, State

log = logging.getLogger("smart.alerts")
UTC = timezone.utc


@cache
def rules() -> tuple:
    """Catalogue entries in evaluation order: inhibitors first, Count roll-ups last."""
    from .catalogue import raw

    entries = {e["name"]: e for e in raw()["alerts"]}
    ordered, visiting = [], set()

    def visit(name):
        if name in visiting or name not in entries or entries[name] in ordered:
            return
        visiting.add(name)
        for inhibitor in entries[name].get("inhibited_by", []):
            visit(inhibitor)
        ordered.append(entries[name])

    for name in entries:
        if entries[name]["condition"]["kind"] != "count_rollup":
            visit(name)
    ordered += [e for e in entries.values() if e["condition"]["kind"] == "count_rollup"]
    return tuple(ordered)


def spec(entry: dict) -> RuleSpec:
    resolve = entry.get("resolve", {})
    condition = entry["condition"]
    after = condition.get("resolve_evaluations") or resolve.get("consecutive") or 1
    return RuleSpec(entry["name"], for_s=entry.get("for_s", 0), resolve_after=after, priority=entry["priority"],
                    legacy_priority=entry["legacy_priority"], importance=entry["importance"],
                    category=entry.get("category", ""))


def _evaluations(entry: dict) -> set:
    value = entry.get("evaluation", [])
    return {value} if isinstance(value, str) else set(value)


def evaluate(now: datetime | None = None, *, evaluation: str | None = None, installation_ids=None,
             online_access_ids=None, names=None) -> list:
    """One pass; returns the flips it made. `evaluation` picks rules evaluated "on_check", "on_fact",
    "periodic"… (and the Count roll-ups of those); ids narrow the pass to those objects (roll-ups always
    count across everything)."""
    now = now or datetime.now(UTC)
    scope = Scope(now, frozenset(installation_ids) if installation_ids is not None else None,
                  frozenset(online_access_ids) if online_access_ids is not None else None)
    flips, evaluated = [], set()
    for entry in rules():
        condition = entry["condition"]
        rollup = condition["kind"] == "count_rollup"
        if names is not None and entry["name"] not in names:
            continue
        if evaluation and (condition["of"] not in evaluated if rollup else evaluation not in _evaluations(entry)):
            continue  # a roll-up is re-counted only when its base rule was evaluated in this pass
        if not supported(condition):
            continue
        evaluated.add(entry["name"])
        scope.rule = entry["name"]
        observed = observe(condition, scope)
        inhibited = _inhibited(entry, observed)
        alert_scope = None if rollup else scope.alert_filter(entry.get("object", "installation"))
        flips += apply(spec(entry), list(observed.values()), alert_scope, now, inhibited)
    return flips


def _inhibited(entry: dict, observed: dict) -> dict:
    """Object keys held back by an inhibitor on the same installation or online access. A pending
    inhibitor counts too: its condition holds and only its `for` is running, and the root cause must
    win even when the symptom's `for` is shorter (key failing because smartlogin fails)."""
    names = entry.get("inhibited_by") or []
    if not names or not observed:
        return {}
    firing = Alert.objects.filter(rule__in=names, state__in=(State.PENDING, State.FIRING))
    by_installation = dict(firing.filter(installation__isnull=False).values_list("installation_id", "rule"))
    by_access = dict(firing.filter(online_access__isnull=False).values_list("online_access_id", "rule"))
    held = {}
    for key, obs in observed.items():
        rule = by_installation.get(obs.installation_id) or by_access.get(obs.online_access_id)
        if rule:
            held[key] = rule
    return held


def on_check_results(sender, results, **kwargs) -> None:
    """After the prober commits a batch: evaluate the probe-driven rules for the objects it touched."""
    installations = {r.installation_id for r in results if r.installation_id is not None}
    accesses = {r.online_access_id for r in results if r.online_access_id is not None}
    try:
        evaluate(evaluation="on_check", installation_ids=installations, online_access_ids=accesses)
    except Exception:  # noqa: BLE001 - evaluation must never break the prober's writer
        log.exception("alert evaluation after check results failed")
