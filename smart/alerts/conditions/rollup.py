"""`count_rollup`: a mass event (D §1.3). Fires per dealer (tenant) or across dealers (platform) when the
number of distinct hosts firing the base alert reaches the threshold; holds until it falls under
`resolve_ratio` × threshold (the lifecycle then needs `resolve_evaluations` clear passes)."""
import math
from collections import defaultdict

from django.db.models import Count

from smart.alerts.lifecycle import Observation
from smart.alerts.models import Alert, State
from smart.registry.models import Installation

MAX_LISTED = 20  # hosts named in the message; the rest is "+N more" (D §1.3 #5)


def threshold(spec: dict, monitored: int) -> int:
    """T = `hosts`, or the smaller of `hosts` and `share` × monitored, never under `floor` (D §1.3 #3)."""
    hosts = spec.get("hosts", 10)
    if "share" not in spec:
        return hosts
    return max(spec.get("floor", 3), min(hosts, math.ceil(spec["share"] * monitored)))


def count_rollup(condition: dict, scope) -> dict:
    base = condition["of"]
    firing = (Alert.objects.filter(rule=base, state=State.FIRING, installation__isnull=False)
              .values_list("dealer_id", "installation_id", "installation__name"))
    by_dealer, everywhere = defaultdict(dict), {}
    for dealer_id, inst_id, name in firing:
        by_dealer[dealer_id][inst_id] = name
        everywhere[inst_id] = name
    held = set(Alert.objects.filter(rule=scope.rule, state=State.FIRING).values_list("object_key", flat=True))
    spec, ratio = condition.get("threshold", {}), condition.get("resolve_ratio", 0.8)
    scopes = condition.get("scope", ["tenant"])
    found = {}
    monitored = _monitored_by_dealer()
    if "tenant" in scopes:
        for dealer_id, hosts in by_dealer.items():
            obs = _decide(f"d{dealer_id}", hosts, threshold(spec, monitored.get(dealer_id, 0)), ratio, held, scope,
                          base, dealer_id)
            if obs:
                found[obs.object_key] = obs
    if "platform" in scopes:
        total = sum(monitored.values())
        obs = _decide("platform", everywhere, threshold(spec, total), ratio, held, scope, base, None)
        if obs:
            found[obs.object_key] = obs
    return found


def _monitored_by_dealer() -> dict:
    rows = Installation.objects.filter(archived_at__isnull=True).values("dealer_id").order_by().annotate(n=Count("id"))
    return {row["dealer_id"]: row["n"] for row in rows}


def _decide(key, hosts: dict, limit: int, ratio: float, held: set, scope, base: str, dealer_id) -> Observation | None:
    count = len(hosts)
    if count >= limit or (key in held and count >= ratio * limit):
        names = sorted(hosts.values())
        listed = ", ".join(names[:MAX_LISTED]) + (f" +{len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")
        return Observation(object_key=key, at=scope.now, value=str(count), dealer_id=dealer_id,
                           detail=f"{count} hosts firing {base} (threshold {limit}): {listed}",
                           labels={"count": count, "threshold": limit, "of": base, "hosts": names[:MAX_LISTED]})
    return None
