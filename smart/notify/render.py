"""Messages for a notification: e-mail (subject `[FIRING:n] <Alert>`, X-Smart-* headers, text and
HTML), Telegram (HTML, under 4,096 characters with "+N more") and the webhook's JSON.

A FIRING message carries its actions: signed "Acknowledge" / "Snooze" links in e-mails (pages under
/alerts/act/), and inline buttons in Telegram (handled by the bot poller, smart.notify.bot)."""
import logging
from datetime import timedelta
from html import escape

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from smart.alerts.catalogue import load

from . import kinds

log = logging.getLogger("smart.notify")

TELEGRAM_LIMIT = 4096
# kinds about alerts that are firing now: their messages offer acknowledge and snooze
ACTIONABLE_KINDS = ("alert", "renotify", "escalation", "reminder", "digest", "count")


def _title(rule: str, language: str) -> str:
    found = load().get(rule)
    return found.title_in(language) if found else rule


def runbook_label() -> str:
    return _("Runbook")


def runbook_url(rule: str) -> str:
    return f"{settings.SMART_BASE_URL.rstrip('/')}/runbooks/{rule}"


def duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = ([_("%d d") % days] if days else []) + ([_("%d h") % hours] if hours else []) + [_("%d min") % mins]
    return " ".join(parts)


def _client(alert) -> str:
    if alert.client_id:
        return alert.client.display_name
    return alert.labels.get("host") or alert.object_key


def card_url(alert) -> str | None:
    """The cabinet's health card of the alert's installation (else its client): where a manager lands
    from the message, on a phone."""
    if alert.installation_id:
        name, pk = "cabinet:installation", alert.installation_id
    elif alert.client_id:
        name, pk = "cabinet:client", alert.client_id
    else:
        return None
    try:
        return settings.SMART_BASE_URL.rstrip("/") + reverse(name, args=[pk])
    except NoReverseMatch:  # a URLconf without the cabinet
        return None


def _linked(alert, line: str) -> str:
    """One line as HTML, the client's name a link to the health card."""
    url, name = card_url(alert), _client(alert)
    if url and line.startswith(name):
        return f"<a href=\"{escape(url)}\">{escape(name)}</a>{escape(line[len(name):])}"
    return escape(line)


def lines(notification, alerts) -> list[str]:
    found = []
    for alert in alerts:
        line = f"{_client(alert)} – {alert.detail or alert.value}"
        if notification.new_state == "resolved" and alert.fired_at and alert.resolved_at:
            line += " (" + _("down for %s") % duration(alert.resolved_at - alert.fired_at) + ")"
        found.append(line)
    return found


def email(notification, alerts) -> dict:
    with translation.override(notification.language):
        title = _title(notification.rule, notification.language)
        state = "FIRING" if notification.new_state == "firing" else "RESOLVED"
        subject = f"[{state}:{len(alerts)}] {notification.rule}"
        body = lines(notification, alerts)
        more = _("Runbook: %s") % runbook_url(notification.rule)
        lead = kinds.intro(notification, alerts)
        links = action_links(notification, alerts)
        text = "\n".join([f"{state} {notification.rule}: {title}", ""] + ([lead, ""] if lead else []) + body
                          + [""] + [f"{label}: {url}" for label, url in links] + ([""] if links else [])
                          + [more, ""])
        html = (f"<p><b>{state}</b> {escape(notification.rule)}: {escape(title)}</p>"
                + (f"<p><i>{escape(lead)}</i></p>" if lead else "") + "<ul>"
                + "".join(f"<li>{_linked(alert, line)}</li>" for alert, line in zip(alerts, body)) + "</ul>"
                + ("<p>" + " · ".join(f"<a href=\"{escape(url)}\">{escape(label)}</a>" for label, url in links)
                   + "</p>" if links else "")
                + f"<p><a href=\"{escape(runbook_url(notification.rule))}\">{escape(runbook_label())}</a></p>")
        first = alerts[0] if alerts else None
        headers = {
            "X-Smart-Alert": notification.rule,
            "X-Smart-Severity": first.priority if first else "",
            "X-Smart-Legacy-Priority": first.legacy_priority if first else "",
            "X-Smart-Category": first.category if first else "",
            "X-Smart-Dealer": notification.dealer.header_value if notification.dealer_id else "",
            "X-Smart-Client": ", ".join(sorted({_client(a) for a in alerts}))[:200],
            "X-Smart-Manager": ", ".join(sorted({_manager(a) for a in alerts} - {""}))[:200],
        }
    return {"subject": subject, "text": text, "html": html, "headers": headers}


def actionable(notification, alerts) -> bool:
    """A message about alerts firing now (not history, not RESOLVED), saved, so it can name itself."""
    return (notification.new_state == "firing" and notification.kind in ACTIONABLE_KINDS
            and notification.pk is not None and bool(alerts))


def action_links(notification, alerts) -> list[tuple[str, str]]:
    """(label, URL) of the signed links of a FIRING e-mail: each acts on every alert of the message."""
    if not actionable(notification, alerts):
        return []
    from smart.alerts.actions import make_token

    base = settings.SMART_BASE_URL.rstrip("/")
    found = []
    for action, label in (("ack", pgettext("alert action", "Acknowledge")), ("snooze1h", _("Snooze 1 h")),
                          ("snooze_morning", _("Snooze until morning"))):
        token = make_token(action, notification=notification, alerts=alerts)
        try:
            found.append((label, base + reverse("alerts:ack-link", args=[token])))
        except NoReverseMatch:  # the pages are not mounted (a URLconf without them): send without links
            log.error("the alert action pages are not in the URLconf: e-mails go out without their links")
            return []
    return found


def telegram_buttons(notification, alerts, actions=("ack", "snooze1h")) -> list | None:
    """The inline keyboard of a FIRING Telegram message (one row), or None."""
    if not actionable(notification, alerts) or not actions:
        return None
    from .bot import callback_data

    with translation.override(notification.language):
        labels = {"ack": pgettext("alert action", "Acknowledge"), "snooze1h": _("Snooze 1 h")}
        return [(labels[action], callback_data(action, notification.pk)) for action in actions]


def _manager(alert) -> str:
    owner = alert.installation or alert.online_access
    manager = getattr(owner, "manager", None)
    return manager.username if manager else ""


def telegram(notification, alerts, note: str = "") -> str:
    """The message's HTML; `note` (plain text) is a line added at the end: who acknowledged it, or that
    this is a repeat of a send whose outcome is unknown."""
    with translation.override(notification.language):
        title = _title(notification.rule, notification.language)
        state = "FIRING" if notification.new_state == "firing" else "RESOLVED"
        lead = kinds.intro(notification, alerts)
        head = f"<b>{state}</b> {escape(notification.rule)}\n{escape(title)}\n" + (f"<i>{escape(lead)}</i>\n" if lead else "")
        tail = f"\n<a href=\"{escape(runbook_url(notification.rule))}\">{escape(runbook_label())}</a>"
        if note:
            tail += f"\n<i>{escape(note)}</i>"
        body, used = [], len(head) + len(tail)
        items = lines(notification, alerts)
        for i, (alert, line) in enumerate(zip(alerts, items)):
            item = f"• {_linked(alert, line)}\n"
            reserve = len(_("+%d more") % len(items)) + 2
            if used + len(item) + reserve > TELEGRAM_LIMIT - 50:
                body.append(_("+%d more") % (len(items) - i) + "\n")
                break
            body.append(item)
            used += len(item)
        return head + "".join(body) + tail


def webhook(notification, alerts) -> dict:
    return {
        "status": notification.new_state,
        "kind": notification.kind,
        "alert": notification.rule,
        "dealer": notification.dealer.code if notification.dealer_id else None,
        "runbook": runbook_url(notification.rule),
        "instances": [{
            "object": a.object_key, "client": _client(a), "priority": a.priority, "legacy_priority": a.legacy_priority,
            "importance": a.importance, "category": a.category, "detail": a.detail, "value": a.value,
            "fired_at": a.fired_at.isoformat() if a.fired_at else None,
            "resolved_at": a.resolved_at.isoformat() if a.resolved_at else None,
        } for a in alerts],
    }
