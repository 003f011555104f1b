"""Read side of alerts: the "Current emergencies" table (C §3) and an installation's active alerts."""
from datetime import datetime, timedelta

from django.db.models import Q

from .models import Alert, State

EMERGENCY_COLUMNS = ("client", "manager", "priority", "legacy_priority", "importance", "rule", "text", "clientname",
                     "regnum", "catalog", "url", "user", "filename", "state", "since", "resolved_at", "acknowledged")


def emergencies(now: datetime, *, dealer_ids=None, days: int = 30, rules=None, priorities=None,
                installations=None, online_accesses=None) -> list[dict]:
    """Active alerts and the ones resolved in the last `days`, K1 first then newest: one row per instance
    with every column of C §3 (online columns for online accesses, legal name and regnum from the
    latest sysinfo, the file for operup and DB alerts)."""
    rows = (Alert.objects.filter(Q(state=State.FIRING) | Q(state=State.RESOLVED, fired_at__isnull=False,
                                                            resolved_at__gte=now - timedelta(days=days)))
            .select_related("client", "installation__manager", "installation__state", "online_access__manager"))
    if dealer_ids is not None:
        rows = rows.filter(dealer_id__in=dealer_ids)
    if rules:
        rows = rows.filter(rule__in=rules)
    if priorities:
        rows = rows.filter(legacy_priority__in=priorities)
    if installations is not None or online_accesses is not None:
        rows = rows.filter(Q(installation_id__in=installations or []) | Q(online_access_id__in=online_accesses or []))
    found = [_row(a) for a in rows]
    found.sort(key=lambda r: (r["state"] != State.FIRING, r["legacy_priority"], -(r["since"] or now).timestamp()))
    return found


def _row(alert: Alert) -> dict:
    inst, access = alert.installation, alert.online_access
    owner = inst or access
    manager = getattr(owner, "manager", None)
    state = getattr(inst, "state", None) if inst is not None else None
    return {
        "id": alert.id,
        "client": alert.client.display_name if alert.client_id else alert.labels.get("host", alert.object_key),
        "manager": (manager.full_name or manager.username) if manager else "",
        "priority": alert.priority,
        "legacy_priority": alert.legacy_priority,
        "importance": alert.importance,
        "rule": alert.rule,
        "text": alert.detail,
        "clientname": state.legal_name if state else "",
        "regnum": state.regnum if state else "",
        "catalog": access.folder if access else "",
        "url": access.host if access else "",
        "user": access.login if access else alert.labels.get("user", ""),
        "filename": alert.labels.get("file", ""),
        "state": alert.state,
        "since": alert.fired_at,
        "resolved_at": alert.resolved_at,
        "acknowledged": alert.acknowledged_at is not None,
    }
