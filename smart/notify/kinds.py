"""What sets a non-plain notification apart: one lead line in the message's language (a re-notify, an
escalation, a morning reminder, a merged backlog, the daily P4 digest, a closed network's historical
digest, the digest of a base alert while its Count roll-up fires). A plain FIRING or RESOLVED message (kind "alert") has none. Times are the dealer's own."""
from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smart.alerts.models import Alert

from .policy import Policies, zone


def _since(notification, alerts: list[Alert]) -> str:
    fired = [a.fired_at for a in alerts if a.fired_at]
    if not fired:
        return "?"
    if notification.dealer_id is None:
        return min(fired).strftime("%Y-%m-%d %H:%M UTC")
    local = zone(Policies().get(notification.dealer_id))
    return min(fired).astimezone(local).strftime("%Y-%m-%d %H:%M ") + str(local)


def _historical(alerts: list[Alert]) -> str:
    places = {a.installation_id or a.online_access_id or a.object_key for a in alerts}
    rules = ", ".join(f"{rule} ×{n}" for rule, n in sorted(Counter(a.rule for a in alerts).items()))
    return (ngettext("Historical digest from a backlog of reports: %(n)d alert on %(places)d objects (%(rules)s);"
                     " these states are in the past.",
                     "Historical digest from a backlog of reports: %(n)d alerts on %(places)d objects (%(rules)s);"
                     " these states are in the past.", len(alerts))
            % {"n": len(alerts), "places": len(places), "rules": rules})


def _count(notification, alerts: list[Alert]) -> str:
    from smart.alerts.catalogue import load

    from .rollups import COUNT_DIGEST_S

    rule = load().get(notification.rule)
    variant = (rule.count_variant if rule else None) or notification.rule
    return (ngettext("Mass event: %(count)s is firing. %(n)d instance collected into one message (at most one"
                     " every %(minutes)d min while it fires).",
                     "Mass event: %(count)s is firing. %(n)d instances collected into one message (at most one"
                     " every %(minutes)d min while it fires).", len(alerts))
            % {"count": variant, "n": len(alerts), "minutes": round(COUNT_DIGEST_S / 60)})


def intro(notification, alerts: list[Alert]) -> str:
    kind = notification.kind
    if kind == "renotify":
        return _("Still firing since %s and not acknowledged.") % _since(notification, alerts)
    if kind == "escalation":
        return _("Escalated: not acknowledged since %s.") % _since(notification, alerts)
    if kind == "reminder":
        return _("Morning reminder: firing overnight, still firing since %s.") % _since(notification, alerts)
    if kind == "digest":
        return ngettext("Digest: the chat's backlog was merged into one message (%d instance).",
                        "Digest: the chat's backlog was merged into one message (%d instances).",
                        len(alerts)) % len(alerts)
    if kind == "daily":
        return ngettext("Daily digest: %d instance since the previous digest.",
                        "Daily digest: %d instances since the previous digest.", len(alerts)) % len(alerts)
    if kind == "historical":
        return _historical(alerts)
    if kind == "count":
        return _count(notification, alerts)
    return ""
