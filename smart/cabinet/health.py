"""Is it OK right now? The state of installations and online accesses, for the home page and health cards.

Each monitored object is in exactly one of four states, derived from its firing alerts and from how long
ago it last sent anything (`classify`):

1. **failing**: at least one alert of the object fires with priority P1 or P2 (users blocked now, or a
   block expected within days: D §1.2);
2. **silent**: nothing arrived from it for more than twice its expected interval, or never: for an
   installation the newest receipt of a sysinfo report or a status file against 2 × its
   `expected_interval_s` (3600 s by default: silent after 2 h); for an online access the last run of any
   of SMART's checks against 2 × `SMART_ONLINE_BILLING_INTERVAL_S`;
3. **warning**: alerts fire, all of them P3 or P4;
4. **ok**: none of the above.

Failing goes first because it names the problem; a silent agent has its own staleness alert
(`SmartXMLfileIsToOld`, whose tiers reach P2), so a long silence ends up failing too. The list of silent
agents on the home page shows every silent installation whatever its state. Pending and inhibited alerts
(held back by a firing root cause) do not count: only what was or would be notified.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from smart.alerts.models import Alert, State

OK, WARNING, FAILING, SILENT = "ok", "warning", "failing", "silent"
STATES = (OK, WARNING, FAILING, SILENT)
STATE_LABELS = {OK: _("OK"), WARNING: _("warning"), FAILING: _("failing"), SILENT: _("silent")}
URGENT = ("P1", "P2")
SILENCE_FACTOR = 2


def classify(priorities, last_sign: datetime | None, interval_s: float, now: datetime) -> str:
    """The state of one object from the priorities of its firing alerts and its last sign of life."""
    priorities = set(priorities)
    if priorities & set(URGENT):
        return FAILING
    if is_silent(last_sign, interval_s, now):
        return SILENT
    return WARNING if priorities else OK


def is_silent(last_sign: datetime | None, interval_s: float, now: datetime) -> bool:
    return last_sign is None or now - last_sign > timedelta(seconds=SILENCE_FACTOR * interval_s)


def latest(*instants):
    found = [t for t in instants if t is not None]
    return max(found) if found else None


@dataclass
class Counts:
    """How many objects are in each state."""

    by_state: dict = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    def add(self, state: str) -> None:
        self.by_state[state] += 1


def firing_priorities(alerts_qs, field_name: str) -> dict[int, set]:
    """{object id: priorities of its firing alerts} for installation_id or online_access_id."""
    found: dict[int, set] = {}
    rows = alerts_qs.filter(state=State.FIRING, **{f"{field_name}__isnull": False}).values_list(field_name, "priority")
    for obj, priority in rows.distinct():
        found.setdefault(obj, set()).add(priority)
    return found


def installation_signs(installations) -> list[dict]:
    """Per installation: id, name, client, dealer, expected interval and its last sign of life."""
    rows = installations.values("pk", "name", "client_id", "client__display_name", "dealer_id", "dealer__code",
                                "expected_interval_s", "state__received_at", "state__status_received_at")
    return [{
        "id": r["pk"], "name": r["name"], "client_id": r["client_id"], "client": r["client__display_name"],
        "dealer_id": r["dealer_id"], "dealer": r["dealer__code"], "interval_s": r["expected_interval_s"],
        "last_sign": latest(r["state__received_at"], r["state__status_received_at"]),
    } for r in rows]


def online_signs(accesses) -> list[dict]:
    rows = accesses.values("pk", "firm", "login", "client_id", "client__display_name", "dealer_id",
                           "dealer__code").annotate(last_run=Max("check_states__last_run_at"))
    return [{
        "id": r["pk"], "name": f"{r['firm']} ({r['login']})", "client_id": r["client_id"],
        "client": r["client__display_name"], "dealer_id": r["dealer_id"], "dealer": r["dealer__code"],
        "interval_s": settings.SMART_ONLINE_BILLING_INTERVAL_S, "last_sign": r["last_run"],
    } for r in rows]


def states(signs: list[dict], priorities: dict[int, set], now: datetime) -> tuple[Counts, list[dict]]:
    """Count the objects per state; returns the counts and the rows with `state` and `age_s` set."""
    counts = Counts()
    for row in signs:
        row["state"] = classify(priorities.get(row["id"], ()), row["last_sign"], row["interval_s"], now)
        row["silent"] = is_silent(row["last_sign"], row["interval_s"], now)
        row["age_s"] = (now - row["last_sign"]).total_seconds() if row["last_sign"] else None
        counts.add(row["state"])
    return counts, signs


def active_alerts(alerts_qs, priorities=None):
    """Firing alerts, most urgent and newest first."""
    qs = alerts_qs.filter(state=State.FIRING)
    if priorities:
        qs = qs.filter(priority__in=priorities)
    return (qs.select_related("client", "installation", "online_access", "dealer", "acknowledged_by")
            .order_by("priority", "-fired_at"))


def recently_resolved(alerts_qs, now: datetime, days: int = 7, limit: int = 20):
    return (alerts_qs.filter(state=State.RESOLVED, fired_at__isnull=False, resolved_at__gte=now - timedelta(days=days))
            .select_related("client", "installation", "online_access", "dealer").order_by("-resolved_at")[:limit])


def alert_subject(alert: Alert) -> str:
    """What the alert is about, in words: the installation or online access, else its host label."""
    if alert.installation_id:
        return alert.installation.name
    if alert.online_access_id:
        access = alert.online_access
        return f"{access.login}@{access.host}/{access.folder}"
    return (alert.labels or {}).get("host") or alert.object_key
