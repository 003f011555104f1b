"""Read side of alerts: the "Current emergencies" table (C §3) and an installation's active alerts."""
from datetime import datetime, timedelta

from django.db.models import Q

from .models import Alert, State

EMERGENCY_COLUMNS = ("client", "manager", "priority", "legacy_priority", "importance", "rule", "text", "clientname",
                     "regnum", "catalog", "url", "user", "filename", "state", "since", "resolved_at", "acknowledged")


def emergencies(now: datetime, *, dealer_ids=None, days: int = 30, rules=None, priorities=None,
                installations=None, online_accesses=None, alerts=None) -> list[dict]:
    """Active alerts and the ones resolved in the last `days`, K1 first then newest: one row per instance
    with every column of C §3 (online columns for online accesses, legal name and regnum from the
    latest sysinfo, the file for operup and DB alerts). `alerts` narrows the rows to a queryset (the
    user's scope). One query of the needed columns: the table can hold thousands of rows."""
    rows = (Alert.objects.all() if alerts is None else alerts).filter(
        Q(state=State.FIRING) | Q(state=State.RESOLVED, fired_at__isnull=False,
                                  resolved_at__gte=now - timedelta(days=days)))
    if dealer_ids is not None:
        rows = rows.filter(dealer_id__in=dealer_ids)
    if rules:
        rows = rows.filter(rule__in=rules)
    if priorities:
        rows = rows.filter(legacy_priority__in=priorities)
    if installations is not None or online_accesses is not None:
        rows = rows.filter(Q(installation_id__in=installations or []) | Q(online_access_id__in=online_accesses or []))
    found = [_row(*values) for values in rows.values_list(*_FIELDS)]
    found.sort(key=lambda r: (r["state"] != State.FIRING, r["legacy_priority"], -(r["since"] or now).timestamp()))
    return found


# The columns _row reads, in its arguments' order: the alert's own, its client's name, the installation's (else
# the online access's) manager, the installation's latest sysinfo names, the online access's folder, host, login.
_FIELDS = ("id", "client_id", "client__display_name", "labels", "object_key", "installation_id",
           "installation__manager__full_name", "installation__manager__username", "online_access_id",
           "online_access__manager__full_name", "online_access__manager__username", "online_access__folder",
           "online_access__host", "online_access__login", "installation__state__legal_name",
           "installation__state__regnum", "priority", "legacy_priority", "importance", "rule", "detail", "state",
           "fired_at", "resolved_at", "acknowledged_at", "snoozed_until")


def _row(pk, client_id, client_name, labels, object_key, inst_id, inst_manager_name, inst_manager_login, access_id,
         access_manager_name, access_manager_login, folder, host, login, legal_name, regnum, priority,
         legacy_priority, importance, rule, detail, state, fired_at, resolved_at, acknowledged_at,
         snoozed_until) -> dict:
    labels = labels or {}
    if inst_id:  # the installation's manager, else the online access's (a user always has a username)
        manager = inst_manager_name or inst_manager_login or ""
    else:
        manager = (access_manager_name or access_manager_login or "") if access_id else ""
    return {
        "id": pk,
        "client": client_name if client_id else labels.get("host", object_key),
        "manager": manager,
        "priority": priority,
        "legacy_priority": legacy_priority,
        "importance": importance,
        "rule": rule,
        "text": detail,
        "clientname": legal_name or "",
        "regnum": regnum or "",
        "catalog": folder if access_id else "",
        "url": host if access_id else "",
        "user": login if access_id else labels.get("user", ""),
        "filename": labels.get("file", ""),
        "state": state,
        "since": fired_at,
        "resolved_at": resolved_at,
        "acknowledged": acknowledged_at is not None,
        # not columns: what the cabinet's table links and offers (the health card, snooze)
        "installation_id": inst_id,
        "client_id": client_id,
        "snoozed_until": snoozed_until,
    }
