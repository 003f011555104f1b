"""Base alerts while their Count roll-up fires (D §1.3 #5): "B instances keep being recorded (dashboard,
e-mail digest); B's Telegram messages are suppressed; C sends one message".

- Covered. A base alert instance is covered while the Count instance of its own scope fires: the
  dealer's ("d3") or the platform's ("platform"), of its own group when the Count groups (an online
  access's DC server, an installation's provider: "d3|Techexpert.Cloud"; see conditions.rollup).
- Telegram. A covered instance's FIRING (and its follow-ups) is not sent to chats: the Count's one
  message stands for it. Its RESOLVED follows its FIRING (episodes.py): a chat gets it only when the
  episode's FIRING went there, so a host held back by the Count stays silent in the chat to the end,
  and a host the chat was told of before the Count fired still gets its RESOLVED.
- E-mail: the Count digest. A covered instance's FIRING or RESOLVED e-mail does not go in the usual
  grouping window (2 s: in a 1,000-host wave that is a message to each address every few seconds).
  It joins the open digest ("count") of its address, rule and state, which collects every covered
  flip for COUNT_DIGEST_S and is then sent as one `[FIRING:n] <Alert>` (or RESOLVED) e-mail listing
  them, with a lead line naming the Count. When a Count instance of the rule resolves, the rule's open
  digests of its dealer (every dealer, for the platform scope) are sent at once: the wave is over, and
  what is left resolves with ordinary messages. So while a Count fires, an address gets at most one
  e-mail per base rule and state every COUNT_DIGEST_S, whatever the number of hosts; the Count's own
  message (P1/P2: at once) carries the news, the digest the full list.
- Follow-ups. A covered instance gets no re-notify, escalation or morning reminder of its own: the
  Count's follow-ups (it is at least as urgent, D §1.3 #6) stand for all its hosts. They resume for an
  instance still firing when the Count resolves.
- Webhooks are machines: they keep one message per grouping window.
"""
from datetime import timedelta

from smart.alerts.catalogue import load
from smart.alerts.models import Alert, State

COUNT_DIGEST_S = 300.0
KIND = "count"


def count_rule(name: str):
    """The catalogue entry of a Count roll-up by its name, or None when `name` is no Count."""
    rule = load().get(name)
    return rule if rule is not None and rule.condition.get("kind") == "count_rollup" else None


def covering(alert: Alert, memo: dict | None = None) -> Alert | None:
    """The firing Count instance that covers this base alert instance, or None (memoised on the alert,
    and in `memo` per Count instance for a pass over many alerts)."""
    if hasattr(alert, "_covering_count"):
        return alert._covering_count
    from smart.alerts.conditions.rollup import group_of

    found = None
    rule = load().get(alert.rule)
    variant = count_rule(rule.count_variant) if rule is not None and rule.count_variant else None
    if variant is not None and alert.dealer_id is not None:
        group = group_of(variant.condition, alert)
        suffix = f"|{group}" if group else ""
        keys = (f"d{alert.dealer_id}{suffix}", f"platform{suffix}")
        memo = {} if memo is None else memo
        if (variant.name, keys) not in memo:
            memo[(variant.name, keys)] = (Alert.objects.filter(rule=variant.name, state=State.FIRING,
                                                               object_key__in=keys).order_by("id").first())
        found = memo[(variant.name, keys)]
    alert._covering_count = found
    return found


def release(count: Alert, now) -> int:
    """A Count instance resolved: its base rule's open digests (of its dealer, or every dealer for the
    platform scope) are due now; returns how many."""
    from .models import Notification

    rule = count_rule(count.rule)
    if rule is None:
        return 0
    rows = Notification.objects.filter(kind=KIND, rule=rule.condition["of"], state=Notification.State.QUEUED,
                                       claimed_at__isnull=True, attempts=0, not_before__gt=now)
    if count.dealer_id is not None:
        rows = rows.filter(dealer_id=count.dealer_id)
    return rows.update(not_before=now)


def due(opened_at) -> object:
    """When a digest opened at `opened_at` is sent (unless its Count resolves first)."""
    return opened_at + timedelta(seconds=COUNT_DIGEST_S)
