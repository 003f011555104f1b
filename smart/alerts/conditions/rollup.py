"""`count_rollup`: a mass event (D §1.3). Fires per dealer (tenant) or across dealers (platform) when the
number of distinct hosts firing the base alert reaches the threshold; holds until it falls under
`resolve_ratio` × threshold (the lifecycle then needs `resolve_evaluations` clear passes).

A host is an installation; for a base alert about online accesses it is an online access, and with
`group_by: ["host"]` the accesses are counted per DC server (one Count instance per server: "d3|<host>",
"platform|<host>"), each against the accesses of that server. Counting happens in the database (a
fleet-wide outage is thousands of instances); host names are read in one query, only for the groups
that fire, and each keeps its first MAX_LISTED. Other `group_by` keys (a proxy's provider) are not known
to SMART's registry and are ignored.
"""
import heapq
import math
from collections import defaultdict

from django.db.models import Count, F

from smart.alerts.lifecycle import Observation
from smart.alerts.models import Alert, State
from smart.registry.models import Installation, OnlineAccess

MAX_LISTED = 20  # hosts named in the message; the rest is "+N more" (D §1.3 #5)


def threshold(spec: dict, monitored: int) -> int:
    """T = `hosts`, or the smaller of `hosts` and `share` × monitored, never under `floor` (D §1.3 #3)."""
    hosts = spec.get("hosts", 10)
    if "share" not in spec:
        return hosts
    return max(spec.get("floor", 3), min(hosts, math.ceil(spec["share"] * monitored)))


def count_rollup(condition: dict, scope) -> dict:
    base = condition["of"]
    kind = _Hosts.of(base, "host" in (condition.get("group_by") or []))
    firing = kind.firing(base)
    held = set(Alert.objects.filter(rule=scope.rule, state=State.FIRING).values_list("object_key", flat=True))
    spec, ratio = condition.get("threshold", {}), condition.get("resolve_ratio", 0.8)
    scopes = condition.get("scope", ["tenant"])
    monitored = kind.monitored()
    groups = []  # (object key, dealer or None, group, hosts firing, threshold)
    if "tenant" in scopes:
        for (dealer_id, group), count in firing.items():
            key = f"d{dealer_id}" + (f"|{group}" if group else "")
            groups.append((key, dealer_id, group, count, threshold(spec, monitored.get((dealer_id, group), 0))))
    if "platform" in scopes:
        totals, everywhere = defaultdict(int), defaultdict(int)
        for (_, group), count in firing.items():
            totals[group] += count
        for (_, group), count in monitored.items():
            everywhere[group] += count
        for group, count in totals.items():
            key = "platform" + (f"|{group}" if group else "")
            groups.append((key, None, group, count, threshold(spec, everywhere[group])))
    decided = [g for g in groups if g[3] >= g[4] or (g[0] in held and g[3] >= ratio * g[4])]
    listed = kind.names(base, {(dealer_id, group) for _, dealer_id, group, _, _ in decided}) if decided else {}
    found = {}
    for key, dealer_id, group, count, limit in decided:
        names = listed.get((dealer_id, group), [])
        text = ", ".join(names) + (f" +{count - len(names)} more" if count > len(names) else "")
        found[key] = Observation(object_key=key, at=scope.now, value=str(count), dealer_id=dealer_id,
                                 detail=f"{count} hosts firing {base} (threshold {limit}): {text}",
                                 labels={"count": count, "threshold": limit, "of": base, "hosts": names}
                                 | ({"group": group} if group else {}))
    return found


class _Hosts:
    """What a base alert's hosts are: installations, or online accesses (optionally per DC server)."""

    def __init__(self, field: str, by_server: bool):
        self.field, self.by_server = field, by_server

    @classmethod
    def of(cls, base: str, group_by_host: bool) -> "_Hosts":
        from smart.alerts.catalogue import load

        rule = load().get(base)
        online = rule is not None and "online_access" in rule.object and "installation" not in rule.object
        return cls("online_access", group_by_host) if online else cls("installation", False)

    def _group(self, prefix: str = ""):
        return F(f"{prefix}{self.field}__host") if self.by_server else None

    def firing(self, base: str) -> dict:
        """(dealer, group) → distinct hosts firing the base alert."""
        rows = Alert.objects.filter(rule=base, state=State.FIRING, **{f"{self.field}__isnull": False})
        group = self._group()
        rows = rows.annotate(group=group) if group is not None else rows
        values = ["dealer_id", "group"] if group is not None else ["dealer_id"]
        counted = rows.values(*values).order_by().annotate(n=Count(self.field, distinct=True))
        return {(row["dealer_id"], row.get("group", "")): row["n"] for row in counted}

    def monitored(self) -> dict:
        """(dealer, group) → live hosts of this kind."""
        model = OnlineAccess if self.field == "online_access" else Installation
        values = ["dealer_id", "host"] if self.by_server else ["dealer_id"]
        rows = model.objects.filter(archived_at__isnull=True).values(*values).order_by().annotate(n=Count("id"))
        return {(row["dealer_id"], row.get("host", "")): row["n"] for row in rows}

    def names(self, base: str, wanted: set) -> dict:
        """(dealer or None for the platform, group) → the first MAX_LISTED names, in order, of the hosts
        firing the base alert there (one query for every group that fires)."""
        rows = Alert.objects.filter(rule=base, state=State.FIRING, **{f"{self.field}__isnull": False})
        if all(dealer_id is not None for dealer_id, _ in wanted):
            rows = rows.filter(dealer_id__in={dealer_id for dealer_id, _ in wanted})
        f = self.field
        columns = ["dealer_id", f"{f}__name"] if f == "installation" else \
            ["dealer_id", f"{f}__host", f"{f}__folder", f"{f}__login"]
        hosts = defaultdict(set)
        for dealer_id, *parts in rows.values_list(*columns).distinct():
            name = parts[0] if f == "installation" else f"{parts[0]}/{parts[1]} {parts[2]}"
            group = parts[0] if self.by_server else ""
            for where in ((dealer_id, group), (None, group)):
                if where in wanted:
                    hosts[where].add(name)
        return {where: heapq.nsmallest(MAX_LISTED, found) for where, found in hosts.items()}
