"""The transport safety net of D §1.3 #7: when a Telegram chat's backlog exceeds one minute of its budget
(20 messages), the queued messages of the same alert name and state are merged into one "digest".

Only rows no sender has claimed are touched, under a row lock, so a merge and a send never race: the
surviving row takes every flip of the merged ones (nothing is lost) and the others are deleted before
any of them could be sent (nothing goes twice). Follow-ups with their own semantics (escalation,
reminder) and digests of another kind (daily, historical) are left alone."""
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from .models import Channel, Notification
from .sender import PER_MINUTE

MERGEABLE = ("alert", "renotify", "digest")
HORIZON = timedelta(minutes=1)  # the backlog: what is due within the next minute


def merge_backlogs(now=None) -> int:
    """Merge the backlog of every chat over budget; returns how many notifications were merged away."""
    now = now or timezone.now()
    crowded = (_backlog(now).values("target").annotate(n=Count("id")).filter(n__gt=PER_MINUTE)
               .values_list("target", flat=True))
    return sum(merge_chat(chat, now) for chat in list(crowded))


def _backlog(now):
    return Notification.objects.filter(channel=Channel.TELEGRAM, state=Notification.State.QUEUED,
                                       claimed_at__isnull=True, not_before__lte=now + HORIZON,
                                       send_started_at__isnull=True)  # in doubt: may be out already


@transaction.atomic
def merge_chat(chat: str, now) -> int:
    """Merge one chat's backlog by rule and state; returns how many rows went into another."""
    rows = list(_backlog(now).select_for_update().filter(target=chat, kind__in=MERGEABLE).order_by("id"))
    groups = defaultdict(list)
    for row in rows:
        groups[(row.rule, row.new_state)].append(row)
    merged = 0
    for group in groups.values():
        if len(group) < 2:
            continue
        keep, rest = group[0], group[1:]
        flips = {f for row in group for f in row.flips.values_list("id", flat=True)}
        keep.kind = "digest"
        keep.not_before = min(row.not_before for row in group)
        keep.save(update_fields=["kind", "not_before"])
        keep.flips.set(flips)
        _, deleted = Notification.objects.filter(pk__in=[row.pk for row in rest], claimed_at__isnull=True).delete()
        merged += deleted.get(Notification._meta.label, 0)
    return merged
