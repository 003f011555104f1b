"""C §3 "Current emergencies" (Текущие аварийные ситуации): the firing alerts and those resolved in the chosen
range, one row per alert instance with every column of C §3, K1 first (smart.alerts.queries.emergencies), plus
acknowledge / snooze per row and a drill-down from the client to the health card. Above the table, the
number of firing alerts per P-level.

Decisions where C §3 is open: "current" means firing now, plus what resolved within the range (the chapter's
"recorded within the selected period"), so a 30-day range (the default, as in the screenshot) shows the month's
history below the live rows. The Priority variable offers both scales: P1–P4 (D §1.2) and the legacy K1–K5
kept for filter compatibility; choosing several matches any of them.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from smart.alerts.models import State
from smart.alerts.queries import emergencies

from .. import scope
from ..views_alerts import LABELS as ACTION_LABELS
from .base import Dashboard, Panel, register

PRIORITIES = ("P1", "P2", "P3", "P4")
SHORT_LABELS = {"ack": pgettext_lazy("alert action", "Acknowledge"), "unack": gettext_lazy("Undo ack"),
                "snooze1h": gettext_lazy("⏸ 1 h"), "snooze_morning": gettext_lazy("⏸ morning"),
                "unsnooze": gettext_lazy("Wake up")}
COLORS = {"P1": "#c62828", "P2": "#e65100", "P3": "#b7791f", "P4": "#607d8b"}


def visible_alerts(ctx):
    """The user's alerts narrowed by the dashboard's variables."""
    qs = scope.alerts(ctx.user)
    if ctx.ints("dealer"):
        qs = qs.filter(dealer_id__in=ctx.dealer_ids or [])
    if ctx.values("client") or ctx.values("manager") or ctx.values("host"):
        qs = qs.filter(Q(installation__in=ctx.installations.values("pk"))
                       | Q(online_access__in=ctx.online_accesses.values("pk")))
    if rules := ctx.values("alert"):
        qs = qs.filter(rule__in=rules)
    if prios := ctx.values("priority"):
        qs = qs.filter(Q(priority__in=prios) | Q(legacy_priority__in=prios))
    return qs


def _days(ctx) -> float:
    return max(0.0, (ctx.now - ctx.tr.start).total_seconds() / 86400)


_SENTINEL = 987654321  # an id no table holds, replaced in the reversed pattern by the row's


class _Urls:
    """The links of one table: each URL pattern reversed once, then filled with the row's id (a table links
    thousands of rows)."""

    def __init__(self):
        self.patterns = {}
        self.runbooks = {}

    def _with_id(self, name: str, pk: int, *rest) -> str:
        key = (name, *rest)
        if key not in self.patterns:
            self.patterns[key] = reverse(name, args=[_SENTINEL, *rest])
        return self.patterns[key].replace(str(_SENTINEL), str(pk))

    def card(self, inst_id, client_id) -> str | None:
        if inst_id:
            return self._with_id("cabinet:installation", inst_id)
        if client_id:
            return self._with_id("cabinet:client", client_id)
        return None

    def runbook(self, rule: str) -> str:
        if rule not in self.runbooks:
            self.runbooks[rule] = reverse("alerts-runbook", args=[rule])
        return self.runbooks[rule]

    def actions(self, alert_state, acknowledged, snoozed, pk) -> list[dict]:
        if alert_state != State.FIRING:
            return []
        names = ["unack" if acknowledged else "ack"] + (["unsnooze"] if snoozed else ["snooze1h", "snooze_morning"])
        return [{"action": a, "label": str(SHORT_LABELS[a]), "title": str(ACTION_LABELS[a]),
                 "url": self._with_id("cabinet:alert-action", pk, a)} for a in names]


def col(key, title, kind="text"):
    return {"key": key, "title": str(title), "type": kind}


def table(ctx) -> dict:
    urls = _Urls()
    firing, resolved, yes = _("firing"), _("resolved"), _("yes")
    rows = []
    for row in emergencies(ctx.now, dealer_ids=ctx.dealer_ids, days=_days(ctx), alerts=visible_alerts(ctx)):
        if row["resolved_at"] and row["resolved_at"] > ctx.tr.end:
            continue
        inst_id, client_id, snoozed_until = row.pop("installation_id"), row.pop("client_id"), row.pop("snoozed_until")
        snoozed = bool(snoozed_until and snoozed_until > ctx.now)
        state, acknowledged = row["state"], row["acknowledged"]
        row["state_text"] = firing if state == State.FIRING else resolved
        row["ack_text"] = yes if acknowledged else ""
        row["snoozed_until"] = snoozed_until if snoozed else None
        row["actions"] = urls.actions(state, acknowledged, snoozed, row["id"])
        links = {"rule": urls.runbook(row["rule"])}
        if url := urls.card(inst_id, client_id):
            links["client"] = url
        row["_links"] = links
        row["_class"] = f"row-{state}" + (" row-acknowledged" if acknowledged else "")
        row["_cell_class"] = {"priority": f"prio-{row['priority']}"}
        rows.append(row)
    columns = [
        col("client", _("Client")), col("actions", "", "actions"), col("manager", _("Manager")), col("legacy_priority", _("Pr.")),
        col("priority", _("Priority")), col("importance", _("Severity")), col("rule", _("Emergency type")),
        col("text", "text"), col("clientname", "clientname"), col("regnum", "regnum"), col("catalog", "catalog"),
        col("url", "url"), col("user", "user"), col("filename", "filename"), col("state_text", _("State")),
        col("since", _("Firing since"), "datetime"), col("resolved_at", _("Resolved"), "datetime"),
        col("ack_text", _("Acknowledged")), col("snoozed_until", _("Snoozed until"), "datetime"),
    ]
    data = {"columns": columns, "rows": rows}
    if not rows:
        data["notice"] = _("No emergency in this range.")
    return data


def firing_counts(ctx) -> dict[str, int]:
    rows = visible_alerts(ctx).filter(state=State.FIRING).values("priority").annotate(n=Count("id"))
    found = {r["priority"]: r["n"] for r in rows}
    return {p: found.get(p, 0) for p in PRIORITIES}


def _stat(priority):
    def query(ctx) -> dict:
        value = firing_counts(ctx)[priority]
        return {"value": value, "unit": "", "color": COLORS[priority] if value else None,
                "link": f"?var-priority={priority}"}
    return query


register(Dashboard(
    "emergencies", gettext_lazy("Current emergencies"),
    [Panel(f"firing-{p.lower()}", format_lazy("{} {}", p, gettext_lazy("firing now")), "stat", _stat(p), width=3,
           description=gettext_lazy("Alerts of this priority firing now")) for p in PRIORITIES]
    + [Panel("emergencies", gettext_lazy("Emergencies"), "table", table, width=12, height=480,
             description=gettext_lazy("Firing alerts and those resolved within the range, K1 first"))],
    variables=("dealer", "client", "manager", "alert", "priority"),
    default_from="now-30d",
    description=gettext_lazy("Every alert instance firing now or resolved within the range, with the columns of "
                             "the original table, acknowledge and snooze."),
    group=gettext_lazy("Alerts"),
))
