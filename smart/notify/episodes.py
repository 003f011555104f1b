"""A chat hears an alert's episode whole or not at all: its RESOLVED only after its FIRING.

- Told. An episode's FIRING went to a chat when a FIRING-state message to that chat carries the episode's
  FIRING flip (the live message, a merged backlog, a re-notify or a morning reminder: each carries it)
  and was sent, or is still queued to be. A failed one told nobody.
- RESOLVED follows its FIRING. When a RESOLVED flip is routed, a chat that was not told of the
  episode's FIRING gets no RESOLVED (a host whose FIRING a Count roll-up held back, D §1.3 #5; one whose
  held FIRING was withdrawn, below). Right before a RESOLVED goes to a chat it is checked again: an
  instance whose FIRING to that chat is still queued waits for it, one whose FIRING was not sent (it
  was withdrawn meanwhile) is taken out, and a message left with nothing is dropped.
- Held overnight. A FIRING message held for the morning by quiet hours (Notification.held_until) is
  checked when it is about to go: an instance acknowledged meanwhile, or no longer firing in the same
  episode (resolved, or resolved and fired again: the new FIRING has its own message), is taken out.
  The chat never saw it, so it hears nothing of it: neither that FIRING nor, by the rule above, its
  RESOLVED. The morning reminder (reminders.py) still tells the chat of a P1/P2 acknowledged
  overnight that is still firing.

E-mail is never held and always carries both halves; only chats (Telegram) are pruned."""
from datetime import timedelta

from django.db.models import Max

from smart.alerts.models import Flip, State

from .models import Channel, Notification

PRUNED_KINDS = ("alert", "digest")  # live messages and their merged backlogs


def episode_firing(flip) -> int | None:
    """The id of the FIRING flip that opened the episode a RESOLVED flip closes."""
    return (Flip.objects.filter(alert_id=flip.alert_id, new_state=State.FIRING, id__lt=flip.id)
            .order_by("-id").values_list("id", flat=True).first())


def _firing_messages(target: str, firing_ids):
    return Notification.objects.filter(channel=Channel.TELEGRAM, target=target, new_state=State.FIRING,
                                       flips__in=firing_ids)


def told(flip, target: str) -> bool:
    """Whether the chat `target` was (or is about to be) told of the FIRING of the episode that the
    RESOLVED `flip` closes."""
    firing = episode_firing(flip)
    return firing is not None and _firing_messages(target, [firing]).exclude(
        state=Notification.State.FAILED).exists()


def settle(notification, now):
    """Before a chat message goes: None to send it as it is (its flips pruned as the module says), "drop"
    when nothing is left of it, or the moment to try again (a RESOLVED waiting for its FIRING)."""
    if notification.channel != Channel.TELEGRAM or notification.kind not in PRUNED_KINDS \
            or notification.send_started_at is not None:  # in doubt: the chat may have it already
        return None
    if notification.new_state == State.FIRING:
        return _settle_held(notification, now) if notification.held_until else None
    return _settle_resolved(notification, now)


def _settle_held(notification, now):
    flips = list(notification.flips.select_related("alert"))
    latest = dict(Flip.objects.filter(alert_id__in={f.alert_id for f in flips}, new_state=State.FIRING)
                  .values("alert_id").annotate(last=Max("id")).values_list("alert_id", "last"))
    gone = [f.id for f in flips if f.alert.state != State.FIRING or f.alert.acknowledged_at is not None
            or latest.get(f.alert_id) != f.id]
    return _prune(notification, flips, gone)


def _settle_resolved(notification, now):
    flips = list(notification.flips.all())
    opened = {f.id: episode_firing(f) for f in flips}
    messages = _firing_messages(notification.target, [i for i in opened.values() if i is not None])
    waiting = messages.filter(state=Notification.State.QUEUED).exclude(pk=notification.pk)
    pending = waiting.order_by("-not_before").values_list("not_before", flat=True).first()
    if pending is not None:
        return max(pending, now) + timedelta(seconds=1)
    sent = set(messages.filter(state=Notification.State.SENT).values_list("flips", flat=True))
    return _prune(notification, flips, [f.id for f in flips if opened[f.id] not in sent])


def _prune(notification, flips, gone):
    if not gone:
        return None
    if len(gone) == len(flips):
        return "drop"
    notification.flips.remove(*gone)
    return None
