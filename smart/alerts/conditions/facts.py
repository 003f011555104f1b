"""What the conditions over report facts share (reports, reports_events, activity, staleness): the
installations a pass is about, the newest report's rows, observations, and the rules of time.

- The newest report. Kinds read the metrics store, never the report that triggered the pass: "the
  newest report" is InstallationState, which an older report never overwrites, and the entries a report
  listed are the event rows whose `last_seen` equals the newest report's time. So a backlog arriving out
  of order fills history but cannot resolve or flip a newer state.
- Time. `Observation.at` is the fact's own time (sysinfo generation time, a status file's Date), so a
  backlog evaluates at its own time. Ages (`max_report_age_s`, `max_age_s`, quiet periods) run up to the
  evaluation time `scope.now`: the on-fact hook evaluates at the newest fact's time, periodic passes at
  the wall clock, so a report older than the limit stops counting (the staleness alerts speak for it).
- Historical. An observation is historical when its report came from a closed network's backlog: the
  client is flagged closed_network or the report was uploaded by hand, and SMART received it more than
  2 × the stream's expected interval after its own time. Receipt time stands in for processing time,
  which `smart reprocess` would move.
- Object keys: "i{id}" (installation) or "o{id}" (online access), extended by "|name:value" parts; a
  part longer than KEY_PART is cut and suffixed with a short hash so a key fits Alert.object_key.
"""
import hashlib
import operator
from datetime import datetime, timedelta, timezone

from django.db.models import F

from smart.alerts.catalogue import load
from smart.alerts.lifecycle import Observation
from smart.ingest.models import Channel
from smart.metrics.models import InstallationState
from smart.registry.models import Installation

UTC = timezone.utc
DAY = 86400
KEY_PART = 120
COMPARE = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "==": operator.eq,
    "!=": operator.ne, "in": lambda a, b: a in b, "not_in": lambda a, b: a not in b,
}


def installations(scope):
    """Live installations this pass is about (none in a pass about online accesses only)."""
    if scope.installation_ids is None and scope.online_access_ids is not None:
        return Installation.objects.none()
    rows = Installation.objects.filter(archived_at__isnull=True)
    return rows if scope.installation_ids is None else rows.filter(pk__in=scope.installation_ids)


def states(scope, **filters) -> list:
    """InstallationState rows (the newest report of each stream) of the scope's installations; read once per
    pass and filter (the rules of a pass ask for the same rows again and again)."""
    key = ("states", tuple(sorted(filters.items())))
    if key not in scope.memo:
        scope.memo[key] = list(InstallationState.objects.filter(installation__in=installations(scope), **filters)
                               .select_related("installation__client", "report", "status_report"))
    return scope.memo[key]


def listed_in_newest(model, scope, seen: str = "last_seen", max_age_s=None):
    """Rows of `model` the newest sysinfo of their installation listed (optionally: only if fresh)."""
    rows = model.objects.filter(installation__in=installations(scope), installation__state__report_time=F(seen))
    if max_age_s is not None:
        rows = rows.filter(installation__state__report_time__gte=scope.now - timedelta(seconds=max_age_s))
    return rows.select_related("installation__client", "installation__state__report")


def part(text) -> str:
    """A value made fit for an object key part (see the module docstring)."""
    text = str(text)
    if len(text) <= KEY_PART:
        return text
    return f"{text[:KEY_PART - 9]}~{hashlib.blake2b(text.encode(), digest_size=4).hexdigest()}"


def observation(inst, suffix: str, at, detail: str, *, value="", since=None, labels=None,
                historical=False) -> Observation:
    """An installation's observation: key "i{id}" + suffix, detail prefixed with its name, label "host"."""
    return Observation(
        object_key=f"i{inst.id}{suffix}", at=at, since=since, value=str(value)[:200],
        detail=f"{inst.name}: {detail}"[:1000], dealer_id=inst.dealer_id, installation_id=inst.id,
        client_id=inst.client_id, labels={"host": inst.name, **(labels or {})}, historical=historical)


def historical(inst, own_time, received_at, channel: str, cadence_s: float) -> bool:
    """A closed network's backlog (see the module docstring)."""
    if own_time is None or received_at is None:
        return False
    backlog = inst.client.closed_network or channel == Channel.MANUAL
    return backlog and (received_at - own_time).total_seconds() > 2 * cadence_s


def sysinfo_historical(state, own_time=None) -> bool:
    """Whether a fact of `own_time` (default: the newest sysinfo's) came with a backlog sysinfo."""
    channel = state.report.channel if state.report_id else ""
    return historical(state.installation, own_time or state.report_time, state.received_at, channel,
                      state.installation.expected_interval_s)


def status_historical(state) -> bool:
    """Whether the newest status file came with a backlog."""
    channel = state.status_report.channel if state.status_report_id else ""
    return historical(state.installation, state.status_observed_at, state.status_received_at, channel,
                      state.installation.status_interval_s)


def fresh(at, now, max_age_s) -> bool:
    """At most `max_age_s` old at `now` (None: any age)."""
    return max_age_s is None or (now - at).total_seconds() <= max_age_s


def compare(left, op: str, right) -> bool:
    """`left op right`; unknown (None) on either side is never true."""
    return left is not None and right is not None and COMPARE[op](left, right)


def when(at: datetime) -> str:
    """An instant for a detail text: 26.11.2026 09:00 UTC."""
    return at.astimezone(UTC).strftime("%d.%m.%Y %H:%M UTC")


def span(seconds: float) -> str:
    """3 d 4 h, 2 h 5 min, 45 min, 30 s."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{minutes} min"] * bool(minutes and not days)
    return " ".join(parts) or f"{seconds} s"


def quiet_s(scope, default=None):
    """The rule's `quiet_s` when it resolves by quiet (events keep it holding that long), else `default`."""
    rule = load().get(scope.rule)
    resolve = rule.resolve if rule else {}
    return resolve["quiet_s"] if resolve.get("kind") == "quiet" else default
