"""Conditions over the prober's current check states (smart.probes CheckState)."""
from datetime import datetime

from django.db.models import Q

from smart.alerts.lifecycle import Observation
from smart.probes.models import CheckState


def _scoped(rows, scope):
    """Only the installations and online accesses this evaluation is about."""
    if scope.installation_ids is not None and scope.online_access_ids is not None:
        return rows.filter(Q(installation_id__in=scope.installation_ids) | Q(online_access_id__in=scope.online_access_ids))
    if scope.installation_ids is not None:
        return rows.filter(installation_id__in=scope.installation_ids)
    if scope.online_access_ids is not None:
        return rows.filter(online_access_id__in=scope.online_access_ids)
    return rows


# only what an observation needs: loading whole registry rows would decrypt every stored password
FIELDS = ("target_key", "dealer_id", "installation_id", "online_access_id", "check_type", "ok", "since",
          "last_run_at", "consecutive_failures", "code", "state", "detail", "extra", "installation__id",
          "installation__name", "installation__client_id", "online_access__id", "online_access__host",
          "online_access__folder", "online_access__login", "online_access__client_id")


def _rows(rows):
    return rows.select_related("installation", "online_access").only(*FIELDS)


def _observation(state: CheckState) -> Observation:
    inst, access = state.installation, state.online_access
    target = inst or access
    key = f"i{inst.id}" if inst is not None else f"o{access.id}"
    host = inst.name if inst is not None else f"{access.host}/{access.folder} {access.login}"
    return Observation(
        object_key=key, at=state.last_run_at, since=state.since, value=str(state.code or state.state),
        detail=f"{host}: {state.detail or state.state}"[:1000], dealer_id=state.dealer_id,
        installation_id=inst.id if inst else None, online_access_id=access.id if access else None,
        client_id=target.client_id, labels={"host": host, "check": state.check_type, "state": state.state})


def check_failing(condition: dict, scope) -> dict:
    """The check has failed `consecutive` runs in a row (optionally only with some states, or not with
    `exclude_states`)."""
    states, excluded = condition.get("states"), condition.get("exclude_states") or []
    found = {}
    failing = CheckState.objects.filter(check_type=condition["check"], ok=False)
    for state in _scoped(_rows(failing), scope):
        if state.consecutive_failures < condition.get("consecutive", 1):
            continue
        if (states and state.state not in states) or state.state in excluded:
            continue
        obs = _observation(state)
        found[obs.object_key] = obs
    return found


def check_state(condition: dict, scope) -> dict:
    """The check's last `consecutive` runs ended in one of `states` (a page state, not necessarily a failure:
    the servicing banner comes with HTTP 200)."""
    wanted, needed = set(condition["states"]), condition.get("consecutive", 1)
    rows = CheckState.objects.filter(check_type=condition["check"], state__in=wanted)
    found = {}
    for state in _scoped(_rows(rows), scope):
        if state.extra.get("state_runs", 1) < needed:
            continue
        obs = _observation(state)
        if state.extra.get("state_since"):
            obs.since = datetime.fromisoformat(state.extra["state_since"])  # in this state since, not ok since
        found[obs.object_key] = obs
    return found
