"""Evaluation: for each catalogue rule whose condition kind is supported, find where it holds now
(conditions), and move its instances through the lifecycle. Inhibitors are evaluated before the rules
they hold back, and Count roll-ups after their base rules, so one pass sees a consistent picture.

Besides inhibiting rules, a rule's `muted_when` holds its instances in pending (D §1.5), with the
reason in `inhibited_by`:
- "seasonal": the object's client is flagged seasonal (case 5: low-use alerts are not for them);
- "maintenance_window": the installation is inside a dealer-declared maintenance window (one for the
  installation, for its client, or for the whole dealer) when the condition is seen (a staleness
  condition judges windows itself: it waits until a window's end + one report cadence);
- "closed_network": the client's network is closed (E8): SMART cannot probe it.
A rule is evaluated in its own savepoint: a failing condition is logged and the pass goes on."""
import logging
from datetime import datetime, timezone
from functools import cache

from django.db import connection, transaction
from django.db.models import Q

from .conditions import observe, supported
from .conditions.scope import Scope
from .lifecycle import RuleSpec, apply
from .models import Alert, MaintenanceWindow, State

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


def evaluations(entry: dict) -> set:
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
    active = None  # rules with pending or firing instances: read once, when a rule first observes nothing
    for entry in rules():
        condition = entry["condition"]
        rollup = condition["kind"] == "count_rollup"
        if names is not None and entry["name"] not in names:
            continue
        if evaluation and (condition["of"] not in evaluated if rollup else evaluation not in evaluations(entry)):
            continue  # a roll-up is re-counted only when its base rule was evaluated in this pass
        if not supported(condition):
            continue
        evaluated.add(entry["name"])
        scope.rule = entry["name"]
        try:
            with transaction.atomic():
                observed = observe(condition, scope)
                if not observed:
                    if active is None:
                        active = _active_rules([e["name"] for e in rules()])
                    if entry["name"] not in active:
                        continue  # nothing seen, nothing to resolve: the lifecycle would change nothing
                held = _inhibited(entry, observed)
                for key, reason in _muted(entry, observed).items():
                    held.setdefault(key, reason)
                alert_scope = None if rollup else scope.alert_filter(entry.get("object", "installation"))
                flips += apply(spec(entry), list(observed.values()), alert_scope, now, held)
        except Exception:  # noqa: BLE001 - one broken rule must not stop the others
            log.exception("alert rule %s: evaluation failed", entry["name"])
    return flips


def _active_rules(names: list) -> set:
    """The rules among `names` with a pending or firing instance: one index probe per rule, whatever the
    number of instances (a fleet-wide outage) or of resolved ones kept for history."""
    if not names:
        return set()
    quote = connection.ops.quote_name
    table = quote(Alert._meta.db_table)
    rule, state = (quote(Alert._meta.get_field(name).column) for name in ("rule", "state"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT column1 FROM (VALUES {', '.join(['(%s)'] * len(names))}) AS r WHERE EXISTS "
                       f"(SELECT 1 FROM {table} a WHERE a.{rule} = r.column1 AND a.{state} IN (%s, %s))",
                       [*names, State.PENDING.value, State.FIRING.value])
        return {name for name, in cursor.fetchall()}


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


def _muted(entry: dict, observed: dict) -> dict:
    """Object keys held back by the rule's `muted_when` (see the module docstring)."""
    held = {}
    for name in entry.get("muted_when") or ():
        mute = MUTES.get(name)
        if mute is not None and observed:
            for key, reason in mute(entry, observed).items():
                held.setdefault(key, reason)
    return held


def _clients(observed: dict) -> dict:
    """Object key → client id (from the observation, else from its installation or online access)."""
    from smart.registry.models import Installation, OnlineAccess

    found = {k: o.client_id for k, o in observed.items() if o.client_id is not None}
    missing = {k: o for k, o in observed.items() if o.client_id is None}
    inst = dict(Installation.objects.filter(pk__in={o.installation_id for o in missing.values()} - {None})
                .values_list("pk", "client_id"))
    access = dict(OnlineAccess.objects.filter(pk__in={o.online_access_id for o in missing.values()} - {None})
                  .values_list("pk", "client_id"))
    for key, obs in missing.items():
        client = inst.get(obs.installation_id) or access.get(obs.online_access_id)
        if client is not None:
            found[key] = client
    return found


def _flagged(flag: str, reason: str):
    def mute(entry: dict, observed: dict) -> dict:
        from smart.registry.models import Client

        clients = _clients(observed)
        flagged = set(Client.objects.filter(pk__in=set(clients.values()), **{flag: True}).values_list("pk", flat=True))
        return {key: reason for key, client in clients.items() if client in flagged}
    return mute


def _judges_windows_itself(condition: dict) -> bool:
    """A staleness condition postpones itself to a window's end + one cadence (conditions/staleness.py)."""
    from .catalogue import conditions

    return any(part["kind"] == "staleness" for part in conditions(condition))


def _maintenance(entry: dict, observed: dict) -> dict:
    """Windows first (few rows, one range look-up), then only the installations they can cover: no
    look-up per observed installation, which a fleet-wide outage makes thousands."""
    from smart.registry.models import Installation

    hosts = {k: o for k, o in observed.items() if o.installation_id is not None}
    if not hosts or _judges_windows_itself(entry["condition"]):
        return {}
    windows = list(MaintenanceWindow.objects.filter(starts_at__lte=max(o.at for o in hosts.values()),
                                                    ends_at__gt=min(o.at for o in hosts.values())))
    if not windows:
        return {}
    covered = Q(pk__in={w.installation_id for w in windows if w.installation_id}) | Q(
        client_id__in={w.client_id for w in windows if not w.installation_id and w.client_id}) | Q(
        dealer_id__in={w.dealer_id for w in windows if not w.installation_id and not w.client_id})
    owners = {pk: (client, dealer) for pk, client, dealer in
              Installation.objects.filter(covered).values_list("pk", "client_id", "dealer_id")}
    held = {}
    for key, obs in hosts.items():
        client, dealer = owners.get(obs.installation_id, (None, None))
        for w in windows:
            covers = (w.installation_id == obs.installation_id if w.installation_id else
                      w.client_id == client if w.client_id else w.dealer_id == dealer)
            if covers and w.starts_at <= obs.at < w.ends_at:
                held[key] = "maintenance window"
                break
    return held


MUTES = {
    "seasonal": _flagged("seasonal", "seasonal"),
    "closed_network": _flagged("closed_network", "closed network"),
    "maintenance_window": _maintenance,
}


def on_check_results(sender, results, **kwargs) -> None:
    """After the prober commits a batch: evaluate the probe-driven rules for the objects it touched."""
    installations = {r.installation_id for r in results if r.installation_id is not None}
    accesses = {r.online_access_id for r in results if r.online_access_id is not None}
    try:
        evaluate(evaluation="on_check", installation_ids=installations, online_access_ids=accesses)
    except Exception:  # noqa: BLE001 - evaluation must never break the prober's writer
        log.exception("alert evaluation after check results failed")
