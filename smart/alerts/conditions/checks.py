"""Conditions over the prober's current check states (smart.probes CheckState)."""
from datetime import datetime

from django.db.models import Q

from smart.alerts.lifecycle import Observation, values_list
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


# only what an observation needs, as plain values: whole registry rows would decrypt every stored
# password, and model instances cost more than the observation itself (10,000 firing checks per pass)
FIELDS = ("dealer_id", "installation_id", "online_access_id", "check_type", "since", "last_run_at",
          "consecutive_failures", "code", "state", "detail", "installation__name",
          "installation__client_id", "online_access__host", "online_access__folder", "online_access__login",
          "online_access__client_id")


def _rows(rows, *more):
    names = (*FIELDS, *more)
    return [dict(zip(names, values)) for values in values_list(rows, names)]


def _observation(row: dict) -> Observation:
    inst, access = row["installation_id"], row["online_access_id"]
    if inst is not None:
        key, host, client = f"i{inst}", row["installation__name"], row["installation__client_id"]
    else:
        key, client = f"o{access}", row["online_access__client_id"]
        host = f"{row['online_access__host']}/{row['online_access__folder']} {row['online_access__login']}"
    state = row["state"]
    return Observation(
        object_key=key, at=row["last_run_at"], since=row["since"], value=str(row["code"] or state),
        detail=f"{host}: {row['detail'] or state}"[:1000], dealer_id=row["dealer_id"], installation_id=inst,
        online_access_id=access, client_id=client, labels={"host": host, "check": row["check_type"], "state": state})


def check_failing(condition: dict, scope) -> dict:
    """The check has failed `consecutive` runs in a row (optionally only with some states, or not with
    `exclude_states`)."""
    states, excluded = condition.get("states"), condition.get("exclude_states") or []
    found = {}
    failing = CheckState.objects.filter(check_type=condition["check"], ok=False,
                                        consecutive_failures__gte=condition.get("consecutive", 1))
    if states:
        failing = failing.filter(state__in=states)
    if excluded:
        failing = failing.exclude(state__in=excluded)
    for row in _rows(_scoped(failing, scope)):
        obs = _observation(row)
        found[obs.object_key] = obs
    return found


def check_state(condition: dict, scope) -> dict:
    """The check's last `consecutive` runs ended in one of `states` (a page state, not necessarily a failure:
    the servicing banner comes with HTTP 200)."""
    wanted, needed = set(condition["states"]), condition.get("consecutive", 1)
    rows = CheckState.objects.filter(check_type=condition["check"], state__in=wanted)
    found = {}
    for row in _rows(_scoped(rows, scope), "extra"):
        extra = row["extra"] or {}
        if extra.get("state_runs", 1) < needed:
            continue
        obs = _observation(row)
        if extra.get("state_since"):
            obs.since = datetime.fromisoformat(extra["state_since"])  # in this state since, not ok since
        found[obs.object_key] = obs
    return found
