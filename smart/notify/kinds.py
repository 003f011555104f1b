"""What sets a non-plain notification apart: one lead line in the message's language (a re-notify, an
escalation, a morning reminder, a digest, a closed network's historical digest). A plain FIRING or
RESOLVED message (kind "alert") has none."""
from django.utils.translation import gettext as _

from smart.alerts.models import Alert


def _since(alerts: list[Alert]) -> str:
    fired = [a.fired_at for a in alerts if a.fired_at]
    return min(fired).strftime("%Y-%m-%d %H:%M UTC") if fired else "?"


def intro(notification, alerts: list[Alert]) -> str:
    kind = notification.kind
    if kind == "renotify":
        return _("Still firing since %s and not acknowledged.") % _since(alerts)
    if kind == "escalation":
        return _("Escalated: not acknowledged since %s.") % _since(alerts)
    if kind == "reminder":
        return _("Morning reminder: snoozed overnight, still firing since %s.") % _since(alerts)
    if kind == "digest":
        return _("Digest: %d messages of this alert were merged.") % len(alerts)
    if kind == "historical":
        return _("Historical digest from a backlog of reports: these states are in the past.")
    return ""
