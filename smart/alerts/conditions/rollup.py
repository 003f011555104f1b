"""`count_rollup`: a mass event (D §1.3). Fires per dealer (tenant) or across dealers (platform) when the
number of distinct hosts firing the base alert reaches the threshold; holds until it falls under
`resolve_ratio` × threshold (the lifecycle then needs `resolve_evaluations` clear passes).

A host is an installation; for a base alert about online accesses it is an online access, and with
`group_by: ["host"]` the accesses are counted per DC server (one Count instance per server: "d3|<host>",
"platform|<host>"), each against the accesses of that server. With `group_by: ["provider"]` installations
are counted per registry `provider` ("d3|Techexpert.Cloud"), each against that provider's installations;
those without a provider are counted together under the plain key ("d3", "platform"). Counting happens
in the database (a fleet-wide outage is thousands of instances); host names are read in one query, only
for the groups that fire, and each keeps its first MAX_LISTED. `group_of` names the group of one base
alert instance (the notifier asks it which Count instance covers the instance).
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
    kind = _Hosts.of(base, condition.get("group_by") or [])
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


def group_of(condition: dict, alert) -> str:
    """The group of a base alert instance in this Count's terms ("" when the Count does not group or the
    host has no value): its online access's DC server, or its installation's provider."""
    kind = _Hosts.of(condition["of"], condition.get("group_by") or [])
    owner = getattr(alert, kind.field) if kind.group_field else None
    return (getattr(owner, kind.group_field, "") or "") if owner is not None else ""


class _Hosts:
    """What a base alert's hosts are: installations (optionally per provider), or online accesses
    (optionally per DC server)."""

    def __init__(self, field: str, group_field: str | None):
        self.field, self.group_field = field, group_field

    @classmethod
    def of(cls, base: str, group_by) -> "_Hosts":
        from smart.alerts.catalogue import load

        rule = load().get(base)
        online = rule is not None and "online_access" in rule.object and "installation" not in rule.object
        if online:
            return cls("online_access", "host" if "host" in group_by else None)
        return cls("installation", "provider" if "provider" in group_by else None)

    def _group(self, prefix: str = ""):
        return F(f"{prefix}{self.field}__{self.group_field}") if self.group_field else None

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
        values = ["dealer_id"] + ([self.group_field] if self.group_field else [])
        rows = model.objects.filter(archived_at__isnull=True).values(*values).order_by().annotate(n=Count("id"))
        return {(row["dealer_id"], row.get(self.group_field, "") or ""): row["n"] for row in rows}

    def names(self, base: str, wanted: set) -> dict:
        """(dealer or None for the platform, group) → the first MAX_LISTED names, in order, of the hosts
        firing the base alert there (one query for every group that fires)."""
        rows = Alert.objects.filter(rule=base, state=State.FIRING, **{f"{self.field}__isnull": False})
        if all(dealer_id is not None for dealer_id, _ in wanted):
            rows = rows.filter(dealer_id__in={dealer_id for dealer_id, _ in wanted})
        f = self.field
        columns = ["dealer_id", f"{f}__name"] if f == "installation" else \
            ["dealer_id", f"{f}__host", f"{f}__folder", f"{f}__login"]
        grouped = self.group_field and f"{f}__{self.group_field}"
        if grouped and grouped not in columns:
            columns.append(grouped)
        hosts = defaultdict(set)
        for row in rows.values(*columns).distinct():
            parts = [row[c] for c in columns[1:]]
            dealer_id, group = row["dealer_id"], (row[grouped] or "") if grouped else ""
            name = parts[0] if f == "installation" else f"{parts[0]}/{parts[1]} {parts[2]}"
            for where in ((dealer_id, group), (None, group)):
                if where in wanted:
                    hosts[where].add(name)
        return {where: heapq.nsmallest(MAX_LISTED, found) for where, found in hosts.items()}
