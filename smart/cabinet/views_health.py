"""The client health card (D R-C1): one page answering "is this client OK right now?".

`/clients/<pk>/` shows every installation and online access of a client; `/installations/<pk>/` one
installation with its client's contacts. Per installation: the newest report's own time, its receipt time
and age, how it came (push, pull, manual upload), the last status file, SMART's check states (a check that
cannot be judged because another one fails says so instead of turning red: E10), version and update
number, operup age, licences per product, key state, seats, active and recently resolved alerts with
acknowledge / snooze, and a timeline of changes (versions, key state, identity, alerts: R-C3).
"""
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smart.alerts.models import Flip
from smart.ingest.models import Channel, Report
from smart.metrics.models import IdentityMismatch, InstallationState, LicenceState, VersionEvent
from smart.metrics.queries import Range, key_history
from smart.probes.models import Check, CheckState, OnlineCounters

from . import docs_links, health, scope
from .views_alerts import alert_rows

TIMELINE_DAYS = 90
TIMELINE_LIMIT = 60
OPERUP_STALE_H = 72  # 00-product.md: OperUp staleness
SOURCES = {Channel.LEGACY: gettext_lazy("push (smartupload, dealer token)"),
           Channel.API: gettext_lazy("push (installation token)"),
           Channel.PULL: gettext_lazy("pull (SMART downloads it)"),
           Channel.MANUAL: gettext_lazy("manual upload")}
# (failing check, checks it makes unknowable, why): D §1.2 dependency quirks, E10
DEPENDS = (
    (Check.MAINTENANCE, {Check.HTTP200, Check.AUTH, Check.KEY, Check.WARNING, Check.LIMIT},
     gettext_lazy("unknown: the server is in maintenance")),
    (Check.AUTH, {Check.KEY, Check.WARNING, Check.LIMIT}, gettext_lazy("unknown: smartlogin cannot sign in")),
    (Check.TCP, {Check.HTTP200, Check.AUTH, Check.KEY, Check.WARNING, Check.LIMIT, Check.PROXY},
     gettext_lazy("unknown: the port does not answer")),
)


def checks_of(states) -> list[dict]:
    """Check states as shown: ok / bad / unknown (never run, or masked by a failing check it depends on)."""
    failing = {s.check_type for s in states if s.ok is False}
    masked = {}
    for cause, hidden, why in DEPENDS:
        if cause in failing:
            for check in hidden:
                masked.setdefault(check, why)
    labels = dict(Check.choices)
    rows = []
    for s in sorted(states, key=lambda s: s.check_type.lower()):
        why = masked.get(s.check_type) if s.ok is False else None
        status = "unknown" if s.ok is None or why else ("ok" if s.ok else "bad")
        rows.append({"check": s.check_type, "label": labels.get(s.check_type, s.check_type), "status": status,
                     "why": why or "", "since": s.since, "last_run_at": s.last_run_at, "detail": s.detail,
                     "state": s.state, "code": s.code})
    return rows


def timeline(inst, alerts, now) -> list[dict]:
    """Changes of one installation, newest first: versions, key state, identity, alerts fired and resolved."""
    since = now - timedelta(days=TIMELINE_DAYS)
    items = []
    by_component: dict[str, list] = {}
    for v in VersionEvent.objects.filter(installation=inst).order_by("component", "first_seen"):
        by_component.setdefault(v.component, []).append(v)
    for component, versions in by_component.items():
        for previous, current in zip([None, *versions], versions):
            if current.first_seen < since:
                continue
            text = (_("%(component)s: %(old)s → %(new)s") % {"component": component, "old": previous.version,
                                                              "new": current.version} if previous else
                    _("%(component)s %(new)s first reported") % {"component": component, "new": current.version})
            items.append({"at": current.first_seen, "kind": "version", "text": text})
    changes = key_history([inst.pk], Range(since, now))
    for previous, current in zip(changes, changes[1:]):
        items.append({"at": current["at"], "kind": "key", "text": _("key state: %(old)s → %(new)s") % {
            "old": previous["key_state"] or "—", "new": current["key_state"] or "—"}})
    for m in IdentityMismatch.objects.filter(installation=inst, report_time__gte=since):
        items.append({"at": m.report_time, "kind": "identity", "text": _(
            "%(field)s changed: %(old)s → %(new)s (reinstall or another server under this name?)") % {
            "field": m.field, "old": m.expected, "new": m.found}})
    # alert flips (P4 business signals are not changes of the server), one line per rule, state and minute
    flips = (Flip.objects.filter(alert__in=alerts.values("pk"), at__gte=since)
             .exclude(alert__priority="P4").select_related("alert").order_by("-at")[:TIMELINE_LIMIT * 4])
    grouped: dict[tuple, dict] = {}
    for f in flips:
        key = (f.alert.rule, f.new_state, f.at.replace(second=0, microsecond=0))
        if key in grouped:
            grouped[key]["n"] += 1
            continue
        grouped[key] = {"at": f.at, "kind": "alert" if f.new_state == "firing" else "resolved", "n": 1,
                        "head": f"{f.new_state.upper()} {f.alert.rule} ({f.alert.priority})",
                        "detail": f.alert.detail if f.new_state == "firing" else ""}
    for g in grouped.values():
        text = g["head"] + (f" ×{g['n']}" if g["n"] > 1 else "") + (f" — {g['detail']}" if g["detail"] and g["n"] == 1 else "")
        items.append({"at": g["at"], "kind": g["kind"], "text": text})
    items.sort(key=lambda i: i["at"], reverse=True)
    return items[:TIMELINE_LIMIT]


def installation_block(user, inst, now) -> dict:
    state = InstallationState.objects.filter(installation=inst).select_related("report", "status_report").first()
    last_upload = Report.objects.filter(installation=inst).order_by("-received_at").only(
        "received_at", "channel", "status", "file_name").first()
    alerts = scope.alerts(user).filter(installation=inst)
    firing = set(alerts.filter(state="firing").values_list("priority", flat=True))
    last_sign = health.latest(state.received_at, state.status_received_at) if state else None
    verdict = health.classify(firing, last_sign, inst.expected_interval_s, now)
    report = state.report if state else None
    operup_age_h = ((now - state.operup_latest_at).total_seconds() / 3600
                    if state and state.operup_latest_at else None)
    today = now.date()
    licences = [{"product": lic.product, "volume": lic.volume, "expires_on": lic.expires_on, "seats": lic.seats,
                 "days_left": (lic.expires_on - today).days if lic.expires_on else None}
                for lic in LicenceState.objects.filter(installation=inst).order_by("expires_on", "product")]
    return {
        "inst": inst, "state": state, "verdict": verdict, "verdict_label": health.STATE_LABELS[verdict],
        "silent": health.is_silent(last_sign, inst.expected_interval_s, now),
        "report": report, "source": SOURCES.get(report.channel, report.channel) if report else "",
        "report_age_s": (now - state.received_at).total_seconds() if state and state.received_at else None,
        "last_upload": last_upload,
        "last_upload_source": SOURCES.get(last_upload.channel, last_upload.channel) if last_upload else "",
        "operup_age_h": operup_age_h, "operup_stale": operup_age_h is not None and operup_age_h > OPERUP_STALE_H,
        "checks": checks_of(list(CheckState.objects.filter(installation=inst))),
        "licences": licences,
        "active": alert_rows(alerts.exclude(state="resolved").select_related(
            "client", "installation", "online_access", "dealer", "acknowledged_by").order_by("priority", "-fired_at")),
        "resolved": alert_rows(health.recently_resolved(alerts, now)),
        "timeline": timeline(inst, alerts, now),
        "docs": docs_links.installation_documents(user, inst),
    }


def online_block(user, access, now) -> dict:
    alerts = scope.alerts(user).filter(online_access=access)
    firing = set(alerts.filter(state="firing").values_list("priority", flat=True))
    checks = list(CheckState.objects.filter(online_access=access))
    last_sign = health.latest(*(c.last_run_at for c in checks))
    verdict = health.classify(firing, last_sign, settings.SMART_ONLINE_BILLING_INTERVAL_S, now)
    counters = OnlineCounters.objects.filter(online_access=access).order_by("-at").first()
    quota = []
    if counters:
        for key, label in (("documents", _("documents")), ("search", _("searches")), ("print", _("prints")),
                           ("export", _("exports"))):
            left, limit = getattr(counters, f"{key}_left"), getattr(counters, f"{key}_limit")
            quota.append({"label": label, "left": left, "limit": limit,
                          "low": left is not None and left < 50})
    return {
        "access": access, "verdict": verdict, "verdict_label": health.STATE_LABELS[verdict], "counters": counters,
        "quota": quota, "last_sign": last_sign, "checks": checks_of(checks),
        "active": alert_rows(alerts.exclude(state="resolved").select_related(
            "client", "installation", "online_access", "dealer", "acknowledged_by").order_by("priority", "-fired_at")),
        "resolved": alert_rows(health.recently_resolved(alerts, now)),
    }


def _worst(verdicts) -> str:
    order = (health.FAILING, health.SILENT, health.WARNING, health.OK)
    return next((v for v in order if v in verdicts), health.OK)


def _client_context(user, client) -> dict:
    return {"client": client, "contacts": list(client.contacts.all()),
            "managers": sorted({str(m) for m in client.managers.all()}
                               | {str(i.manager) for i in client.installations.all() if i.manager_id})}


@login_required
def installation_card(request, pk: int):
    now = timezone.now()
    inst = scope.get_or_deny(scope.installations(request.user, include_archived=True)
                             .select_related("client", "dealer", "manager"), pk=pk)
    block = installation_block(request.user, inst, now)
    context = _client_context(request.user, inst.client) | {
        "now": now, "blocks": [block], "online_blocks": [], "verdict": block["verdict"],
        "verdict_label": block["verdict_label"], "single": True, "show_dealer": scope.is_operator(request.user)}
    return render(request, "cabinet/health/card.html", context)


@login_required
def client_card(request, pk: int):
    now = timezone.now()
    client = scope.get_or_deny(scope.clients(request.user, include_archived=True).select_related("dealer"), pk=pk)
    visible = scope.installations(request.user, include_archived=True).filter(client=client)
    blocks = [installation_block(request.user, i, now)
              for i in visible.filter(archived_at__isnull=True).select_related("client", "dealer", "manager")
              .order_by("name")]
    online = [online_block(request.user, a, now) for a in scope.online_accesses(request.user).filter(client=client)
              .select_related("manager").order_by("firm", "login")]
    verdict = _worst({b["verdict"] for b in blocks} | {b["verdict"] for b in online})
    context = _client_context(request.user, client) | {
        "now": now, "blocks": blocks, "online_blocks": online, "verdict": verdict,
        "verdict_label": health.STATE_LABELS[verdict], "single": False,
        "show_dealer": scope.is_operator(request.user),
        "docs": docs_links.client_documents(request.user, client, now) if not client.archived_at else None}
    return render(request, "cabinet/health/card.html", context)
