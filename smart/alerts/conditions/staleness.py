"""`staleness`: an installation that has sent a stream before has been silent too long (D §1.4 #57, R-C2).

The age is the evaluation time minus the newest report's own time (`clock` "report_time": the newest
*distinct* report, E2) or its receipt (`clock` "received_at"). Tiers are thresholds with their own
P-level: `after_s`, or `cadence_multiple` × the stream's expected interval (Installation.expected_interval_s
for sysinfo, status_interval_s for status files). The highest tier passed decides; its P-level goes to
labels["priority"] and the detail.

Decisions where D is silent:
- Closed networks (Client.closed_network) with a rule `manual_grace_s` > 0: reports come with the
  dealer's visits, so the ladder starts once a visit is overdue: the first threshold is the visit cadence
  (expected_interval_s) plus the grace ("dealer-set cadence + 7 days grace"); `after_s` tiers keep their
  distance after it (cadence + grace + after_s). So the ladder stays ordered whatever the cadence is,
  which scaling the cadence would not give. Without a grace a closed network is judged like any other.
- A dealer-declared MaintenanceWindow covering the installation, its client or (neither set) the whole
  dealer postpones staleness until the window's end + one cadence (D §1.5), when the installation went
  stale after the window began; silence that started before the window is not excused by it.
- `at` is the evaluation time (staleness is an absence, seen now); `since` is when the first tier was
  crossed.
"""
from datetime import timedelta

from smart.alerts.models import MaintenanceWindow

from .facts import observation, span, states, when

CLOCKS = {
    ("sysinfo", "report_time"): "report_time", ("sysinfo", "received_at"): "last_new_data_at",
    ("status", "report_time"): "status_observed_at", ("status", "received_at"): "status_received_at",
}


def cadence_of(inst, stream: str) -> int:
    return inst.expected_interval_s if stream == "sysinfo" else inst.status_interval_s


def thresholds(tiers: list, cadence: float, grace: float) -> list[tuple[float, dict]]:
    """(seconds, tier) per tier; `grace` > 0 means a closed network (see the module docstring)."""
    found = []
    for tier in tiers:
        if grace:
            seconds = cadence + grace + tier.get("after_s", 0)
        else:
            seconds = tier["after_s"] if "after_s" in tier else tier["cadence_multiple"] * cadence
        found.append((seconds, tier))
    return sorted(found, key=lambda item: item[0])


def staleness(condition: dict, scope) -> dict:
    """Installations silent on `stream` past a tier (the highest passed decides), unless a window postpones it."""
    stream = condition["stream"]
    field = CLOCKS[(stream, condition.get("clock", "report_time"))]
    grace = condition.get("manual_grace_s", 0)
    stale = []
    for state in states(scope, **{f"{field}__isnull": False}):
        inst, last = state.installation, getattr(state, field)
        cadence = cadence_of(inst, stream)
        ladder = thresholds(condition["tiers"], cadence, grace if inst.client.closed_network else 0)
        age = (scope.now - last).total_seconds()
        passed = [(seconds, tier) for seconds, tier in ladder if age > seconds]
        if passed:
            stale.append((inst, last, age, ladder[0][0], passed[-1], cadence))
    if not stale:
        return {}
    windows = _windows(scope.now, max(item[-1] for item in stale), {item[0].dealer_id for item in stale})
    found = {}
    for inst, last, age, first, (seconds, tier), cadence in stale:
        began = last + timedelta(seconds=first)
        if _postponed(inst, began, cadence, windows, scope.now):
            continue
        closed = " (closed network: visit cadence + grace)" if inst.client.closed_network and grace else ""
        detail = (f"no {stream} for {span(age)} since {when(last)}; tier {tier['priority']} after {span(seconds)}"
                  f"{closed}")
        found[f"i{inst.id}"] = observation(
            inst, "", scope.now, detail, value=tier["priority"], since=began,
            labels={"priority": tier["priority"], "tier_s": int(seconds), "stream": stream, "last": last.isoformat()})
    return found


def _windows(now, longest_cadence: float, dealers: set) -> list:
    """Windows that may still postpone something now: begun, and ended less than a cadence ago."""
    return list(MaintenanceWindow.objects.filter(dealer_id__in=dealers, starts_at__lte=now,
                                                 ends_at__gt=now - timedelta(seconds=longest_cadence)))


def _covers(window, inst) -> bool:
    if window.installation_id is not None:
        return window.installation_id == inst.id
    if window.client_id is not None:
        return window.client_id == inst.client_id
    return window.dealer_id == inst.dealer_id


def _postponed(inst, began, cadence: float, windows: list, now) -> bool:
    return any(_covers(w, inst) and began >= w.starts_at and now < w.ends_at + timedelta(seconds=cadence)
               for w in windows)
