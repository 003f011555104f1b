"""`calendar`: a month-to-date usage metric checked at a time of the month in the client's zone.

The check is made at `hour`:00 on day `day` of the month (day 30 is the last day of a shorter month:
28 or 29 February). The condition decides from the evaluation's own clock (scope.now), so a periodic
pass, a report's on_fact pass or a pass with a moved clock all agree:

- repeat "once": one check per (object, month), at that moment, on the data as it was then (the newest
  reading or report at or before the moment). From the moment to the month's end the condition holds if
  the value then was below `below`; it cannot fire twice in a month, and an instance resolved in the
  month (only a rule with early recovery resolves before the month ends) does not come back.
- repeat "daily": from the moment on, every day to the month's end, the condition holds while the current
  value is below `below`; the value recovering resolves it at once (the metrics only grow in a month).
At the month's end (client's zone) nothing holds any more, which resolves every instance.

Metrics:
- docs_used_pct (online accesses) = 100 × (limit − left) / limit of the document-opening counter on the
  newest reading of the quota month (online.py: zones and quota months). Unlimited: no value.
- activity (installations) = the month-to-date sum of all user actions of the newest report of the
  month: DB requests + documents opened + services + link follows + saves + prints + searches + kAssist
  requests (00-product decision; SysinfoReport.activity), summed over the report's users.
- involvement_pct (installations) = 100 × users with ≥ 1 DB request this month / seats in the reg-file
  (00-product decision, the formula of metrics.queries.involvement), read from the same report (its
  users_active_month and seats_total) so that a check can be made as of a past moment. No seats: no value.
An installation's zone is its own; a month without data (no reading, no report) has no value and holds
nothing (SmartXMLfileIsToOld and the online check alerts tell of missing data).
"""
from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from smart.alerts.lifecycle import Observation
from smart.alerts.models import Alert, State
from smart.metrics.models import Snapshot
from smart.registry.models import Installation

from . import online

ACTIVITY_COUNTERS = ("db_requests", "documents_opened", "services", "link_follows", "saves", "prints", "searches",
                     "kassist_requests")


@dataclass(frozen=True)
class Host:
    """An installation in scope, with its zone."""

    id: int
    dealer_id: int
    client_id: int
    name: str
    zone: object

    def observe(self, key: str, at: datetime, value: str, detail: str, **labels) -> Observation:
        return Observation(object_key=key, at=at, value=value, detail=f"{self.name}: {detail}"[:1000],
                           dealer_id=self.dealer_id, installation_id=self.id, client_id=self.client_id,
                           labels={"host": self.name, **labels})


def installations(scope, having=None) -> dict[int, Host]:
    """The installations this evaluation is about (none in an online-only pass); `having`, a filter
    expression, narrows them to those with the data a condition reads."""
    if scope.installation_ids is None and scope.online_access_ids is not None:
        return {}
    rows = Installation.objects.filter(archived_at__isnull=True)
    if scope.installation_ids is not None:
        rows = rows.filter(pk__in=list(scope.installation_ids))
    if having is not None:
        rows = rows.filter(having)
    return {pk: Host(pk, dealer, client, name, online.zone_of(zone))
            for pk, dealer, client, name, zone in rows.values_list("pk", "dealer_id", "client_id", "name", "time_zone")}


def check_moment(instant: datetime, zone, day: int, hour: int) -> datetime:
    """This month's check: `hour`:00 local on day `day`, or on the month's last day if it is shorter."""
    local = instant.astimezone(zone)
    return datetime(local.year, local.month, min(day, monthrange(local.year, local.month)[1]), hour, tzinfo=zone)


# ---- metrics: {object id: as-of instant} → {object id: (value, words for the message)} -----------------

def docs_used_pct(targets: dict, as_of: dict[int, datetime]) -> dict[int, tuple[float, str]]:
    starts = {a: online.quota_period(t, targets[a].zone).start for a, t in as_of.items()}
    values = {}
    for access_id, reading in online.latest_readings(as_of, starts).items():
        left, limit = online.left_and_limit(reading, "documents")
        if left is None or not limit:
            continue
        used = limit - left
        values[access_id] = (100.0 * used / limit, _("%(used)d of %(limit)d documents of the month's limit opened")
                             % {"used": used, "limit": limit})
    return values


def reported(now: datetime):
    """Installations with a report of the month `now` is in, at or before `now`: the only ones a month-to-date
    metric has a value for (a filter for `installations`; its zone's month is one of those of UTC−12 … UTC+14)."""
    utc = now.astimezone(timezone.utc)
    months = {date(t.year, t.month, 1) for t in (utc - timedelta(hours=12), utc + timedelta(hours=14))}
    return Exists(Snapshot.objects.filter(installation=OuterRef("pk"), month__in=months, report_time__lte=now))


def snapshots(targets: dict, as_of: dict[int, datetime]) -> dict[int, Snapshot]:
    """Per installation, the newest report of its month (its zone) at or before the as-of instant."""
    groups = defaultdict(list)
    for inst_id, instant in as_of.items():
        local = instant.astimezone(targets[inst_id].zone)
        groups[(instant, date(local.year, local.month, 1))].append(inst_id)
    picked = {}
    for (instant, month), ids in groups.items():
        newest = (Snapshot.objects.filter(installation=OuterRef("pk"), month=month, report_time__lte=instant)
                  .order_by("-report_time").values("pk")[:1])
        rows = Installation.objects.filter(pk__in=ids).annotate(s=Subquery(newest)).values_list("pk", "s")
        picked.update({i: s for i, s in rows if s is not None})
    found = Snapshot.objects.in_bulk(list(picked.values()))
    return {i: found[s] for i, s in picked.items()}


def activity(targets: dict, as_of: dict[int, datetime]) -> dict[int, tuple[float, str]]:
    values = {}
    for inst_id, snap in snapshots(targets, as_of).items():
        parts = [getattr(snap, f"total_{name}") for name in ACTIVITY_COUNTERS]
        if all(p is None for p in parts):
            continue  # the report had no counters at all: unknown, not zero
        total = sum(p or 0 for p in parts)
        values[inst_id] = (float(total), _("%(n)d user actions this month") % {"n": total})
    return values


def involvement_pct(targets: dict, as_of: dict[int, datetime]) -> dict[int, tuple[float, str]]:
    values = {}
    for inst_id, snap in snapshots(targets, as_of).items():
        if not snap.seats_total or snap.users_active_month is None:
            continue
        values[inst_id] = (100.0 * snap.users_active_month / snap.seats_total,
                           _("%(users)d users with DB requests this month for %(seats)d seats")
                           % {"users": snap.users_active_month, "seats": snap.seats_total})
    return values


METRICS = {  # metric → (objects it is about, value function, key prefix, how the message names it, and a
    # filter of the objects with data, or None)
    "docs_used_pct": (online.accesses, docs_used_pct, "o", lambda v: _("%.1f %% of the document limit used") % v,
                      None),
    "activity": (installations, activity, "i", lambda v: _("activity %.0f") % v, reported),
    "involvement_pct": (installations, involvement_pct, "i", lambda v: _("involvement %.1f %%") % v, reported),
}


# ---- the condition --------------------------------------------------------------------------------------

def _early_recovery(rule: str) -> bool:
    from smart.alerts.catalogue import load

    found = load().get(rule)
    return bool(found) and (found.resolve or {}).get("early") == "value_recovers"


def calendar(condition: dict, scope) -> dict:
    if condition["metric"] not in METRICS:
        raise ValueError(f"unknown calendar metric {condition['metric']!r}; known: {', '.join(METRICS)}")
    objects, value_of, prefix, words, having = METRICS[condition["metric"]]
    below, once = condition["below"], condition["repeat"] == "once"
    if condition["repeat"] not in ("once", "daily"):
        raise ValueError(f"unknown calendar repeat {condition['repeat']!r}; known: once, daily")
    # objects without data of the month have no value: the query skips them (a fleet without reports)
    targets = objects(scope, having(scope.now)) if having else objects(scope)
    moments = {}  # per zone: a fleet has few
    for t in targets.values():
        if t.zone not in moments:
            moments[t.zone] = check_moment(scope.now, t.zone, condition["day"], condition["hour"])
    due = {i: moments[t.zone] for i, t in targets.items() if moments[t.zone] <= scope.now}
    values = value_of(targets, due if once else dict.fromkeys(due, scope.now))
    if once and _early_recovery(scope.rule):
        current = value_of(targets, dict.fromkeys(due, scope.now))
        values = {i: v for i, v in values.items() if i in current and current[i][0] < below}
    keys = {i: f"{prefix}{i}" for i in values}
    resolved = dict(Alert.objects.filter(rule=scope.rule, object_key__in=list(keys.values()), state=State.RESOLVED)
                    .values_list("object_key", "resolved_at")) if once else {}
    found = {}
    for i, (value, facts) in values.items():
        key = keys[i]
        if value >= below or (key in resolved and resolved[key] >= due[i]):
            continue
        day = due[i].astimezone(targets[i].zone).day
        detail = _("%(value)s on day %(day)d, below %(below)s: %(facts)s") % {
            "value": words(value), "day": day, "below": f"{below:g}", "facts": facts}
        found[key] = targets[i].observe(key, scope.now, f"{value:.1f}", detail, metric=condition["metric"])
    return found
