"""Acknowledge and snooze an alert from the cabinet (POST with CSRF, smart.alerts.actions with via="ui").

The alert is looked up through `scope.alerts(user)`: an alert the user may not see is not found (404), so a
manager cannot act on another manager's client. A form post redirects back to `next` with a message; a
fetch with `Accept: application/json` gets the alert's new state as JSON (the emergencies table's buttons).
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from smart.alerts import actions

from . import scope
from .audit import record

LABELS = {
    "ack": pgettext_lazy("alert action", "Acknowledge"),
    "unack": gettext_lazy("Take back the acknowledgement"),
    "snooze1h": gettext_lazy("Snooze 1 h"),
    "snooze_morning": gettext_lazy("Snooze until morning"),
    "unsnooze": gettext_lazy("End the snooze"),
}
REASONS = {
    "already": gettext_lazy("nothing to change: it was already done"),
    "not_firing": gettext_lazy("the alert is not firing any more"),
    "not_acknowledged": gettext_lazy("it was not acknowledged"),
}


def _back(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("cabinet:home")


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def alert_state(alert) -> dict:
    return {
        "id": alert.pk, "state": alert.state,
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "acknowledged_by": str(alert.acknowledged_by) if alert.acknowledged_by_id else "",
        "snoozed_until": alert.snoozed_until.isoformat() if alert.snoozed_until else None,
        "tta_s": alert.tta_s,
    }


MAX_GROUP = 500


@login_required
@require_POST
def alert_action(request, pk: int, action: str):
    """The action on alert `pk` and on every alert named by a repeated `also` field (a grouped row: one
    rule on several volumes of an installation); each one is looked up through the user's scope."""
    if action not in LABELS:
        return HttpResponseBadRequest("unknown action")
    also = [int(v) for v in request.POST.getlist("also") if v.isdigit()][:MAX_GROUP]
    visible = scope.alerts(request.user)
    alerts = [scope.get_or_deny(visible, pk=i) for i in dict.fromkeys([pk, *also])]
    now = timezone.now()
    outcomes = []
    for alert in alerts:
        if action == "unsnooze":
            outcome = actions.snooze(alert, None, user=request.user, via="ui", now=now)
        else:
            outcome = actions.perform(action, alert, user=request.user, via="ui", now=now)
        if outcome.done:
            record(request, f"alert_{action}", obj=alert, object_repr=f"{alert.rule} {alert.object_key}",
                   changes=alert_state(outcome.alert))
        outcomes.append(outcome)
    done = sum(o.done for o in outcomes)
    if _wants_json(request):
        return JsonResponse({"done": done, "reasons": sorted({o.reason for o in outcomes if not o.done}),
                             "alerts": [alert_state(o.alert) for o in outcomes]})
    text = f"{alerts[0].rule}: {LABELS[action]}" + (f" ({done}/{len(alerts)})" if len(alerts) > 1 else "")
    if done:
        messages.success(request, text)
    else:
        reason = next((o.reason for o in outcomes if o.reason), "")
        messages.warning(request, f"{text} — {REASONS.get(reason, reason)}")
    return HttpResponseRedirect(_back(request))


def alert_action_urls(alert, group=()) -> dict:
    """{action: URL} of the actions that make sense now for the alert (and the rest of its row, `group`):
    acknowledge unless all are acknowledged, snooze unless all are snoozed."""
    if alert.state != "firing":
        return {}
    now = timezone.now()
    members = [alert, *group]
    found = ["unack"] if all(a.acknowledged_at for a in members) else ["ack"]
    snoozed = all(a.snoozed_until and a.snoozed_until > now for a in members)
    found += ["unsnooze"] if snoozed else ["snooze1h", "snooze_morning"]
    return {a: reverse("cabinet:alert-action", args=[alert.pk, a]) for a in found}


def card_url(alert) -> str | None:
    """The health card an alert drills down to: its installation's, else its client's."""
    if alert.installation_id:
        return reverse("cabinet:installation", args=[alert.installation_id])
    if alert.client_id:
        return reverse("cabinet:client", args=[alert.client_id])
    if alert.online_access_id:
        return reverse("cabinet:client", args=[alert.online_access.client_id])
    return None


def alert_rows(alerts, limit: int | None = None) -> list[dict]:
    """What the alert list template shows: one row per rule and object (the volumes of one installation
    with the same rule are one row, `others` the rest), its subject, card link, title and actions; an
    action on the row acts on every alert of it. With `limit`, only the first rows are dressed for display
    (the rest are counted: `len()` of the result stays the number of rows)."""
    from django.utils.translation import get_language

    from smart.alerts.catalogue import load

    from .health import alert_subject

    # group on a few columns, then load the alerts of the rows shown (an alert storm is thousands of rows)
    groups: dict[tuple, list] = {}
    for pk, *key in alerts.values_list("pk", "rule", "state", "installation_id", "online_access_id", "object_key"):
        rule, state, inst, access, object_key = key
        groups.setdefault((rule, state, inst, access, "" if inst or access else object_key), []).append(pk)
    shown = list(groups.values())[:limit]
    loaded = (alerts.model.objects.filter(pk__in=[pk for pks in shown for pk in pks])
              .select_related("client", "installation", "online_access", "dealer", "acknowledged_by").in_bulk())
    rows = [{"alert": loaded[pks[0]], "others": [loaded[pk] for pk in pks[1:]]} for pks in shown]
    rows += [{"alert": None, "others": [None] * (len(pks) - 1)} for pks in list(groups.values())[len(shown):]]
    catalogue = load()
    lang = (get_language() or "ru")[:2]
    for row in rows[:len(shown)]:
        alert = row["alert"]
        rule = catalogue.get(alert.rule)
        row |= {"subject": alert_subject(alert), "card_url": card_url(alert),
                "title": rule.title_in(lang) if rule else alert.rule, "count": 1 + len(row["others"]),
                "also": [a.pk for a in row["others"] if a.state == "firing"],
                "actions": [(LABELS[a], a, url) for a, url in alert_action_urls(alert, row["others"]).items()]}
    return rows
