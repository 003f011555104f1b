"""`event: login_refused` (dispatched by events.py): logins a K/TE server refused, from the refused-
connection log of its sysinfo (`login_refusals`, stored as RefusalEvent rows). It drives
KodeksDetectOverUserError (D §1.4 #43): "fires on ≥ 1 refusal with protection error 2008/4106 since the
previous evaluation; the message lists logins and refusal counts per hour"; it resolves after an
evaluation with no new refusal.

Decisions where the catalogue and D are silent:
- "Since the previous evaluation" is read in the reports' own time, like every on-fact rule: the
  refusals the newest sysinfo brought are those after the previous sysinfo's time (the newest Snapshot
  before it) up to the newest one's. A first sysinfo looks back one expected report interval. So the
  condition holds from the report that brought a refusal until the next sysinfo that brings none; a
  backlog arriving out of order cannot flip it (the newest report decides, facts.py).
- The condition's `codes` (default 2008 and its alias 4106) select the refusals; one whose code the
  log left out counts when its reason is `no_free_seats` and the codes include 2008 or 4106.
- The detail names each refused login with its refusals, then per hour of the installation's own
  clock the logins (sessions started) and refusals; the labels carry the same figures.
"""
from collections import Counter, defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import F, Max, Q

from smart.metrics.models import InstallationState, RefusalEvent, SessionEvent, Snapshot

from .facts import installations, observation, sysinfo_historical, when

NO_SEATS_CODES = (2008, 4106)
LOOKBACK = timedelta(days=7)  # the widest gap between two sysinfos whose refusals are read at once
MAX_HOURS = 24  # hours listed in the detail (the labels keep them all)


def login_refused(condition: dict, scope) -> dict:
    """Installations whose newest sysinfo brought refused logins with one of the condition's codes."""
    codes = list(condition.get("codes") or NO_SEATS_CODES)
    newest = F("installation__state__report_time")
    wanted = Q(code__in=codes)
    if set(codes) & set(NO_SEATS_CODES):
        wanted |= Q(code__isnull=True, reason="no_free_seats")
    rows = list(RefusalEvent.objects.filter(installation__in=installations(scope), at__lte=newest,
                                            at__gt=newest - LOOKBACK).filter(wanted)
                .values("installation_id", "at", "login", "code", "count").order_by("at"))
    if not rows:
        return {}
    ids = {row["installation_id"] for row in rows}
    previous = dict(Snapshot.objects.filter(installation_id__in=ids, report_time__lt=newest)
                    .values("installation_id").annotate(last=Max("report_time")).values_list("installation_id", "last"))
    states = {s.installation_id: s for s in InstallationState.objects.filter(installation_id__in=ids)
              .select_related("installation__client", "report")}
    brought = defaultdict(list)
    for row in rows:
        state = states[row["installation_id"]]
        since = previous.get(row["installation_id"]) or \
            state.report_time - timedelta(seconds=state.installation.expected_interval_s)
        if row["at"] > since:
            brought[row["installation_id"]].append(row)
    found = {}
    for inst_id, refused in brought.items():
        state = states[inst_id]
        since = previous.get(inst_id) or state.report_time - timedelta(seconds=state.installation.expected_interval_s)
        found[f"i{inst_id}"] = _observe(state, since, refused, codes)
    return found


def _zone(inst) -> ZoneInfo:
    try:
        return ZoneInfo(inst.time_zone or "Europe/Moscow")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Moscow")


def _observe(state, since, refused: list[dict], codes: list[int]):
    inst, zone = state.installation, _zone(state.installation)
    total = sum(row["count"] or 1 for row in refused)
    by_login = Counter()
    refusals, logins = Counter(), Counter()
    for row in refused:
        by_login[row["login"] or "?"] += row["count"] or 1
        refusals[_hour(row["at"], zone)] += row["count"] or 1
    for started in SessionEvent.objects.filter(installation=inst, started_at__gt=since,
                                               started_at__lte=state.report_time).values_list("started_at", flat=True):
        logins[_hour(started, zone)] += 1
    hours = sorted(set(refusals) | {h for h in logins if h >= min(refusals)})
    per_hour = [{"hour": h, "logins": logins.get(h, 0), "refused": refusals.get(h, 0)} for h in hours]
    who = ", ".join(f"{login} ×{n}" for login, n in sorted(by_login.items(), key=lambda kv: (-kv[1], kv[0])))
    table = "; ".join(f"{p['hour'][5:]} {p['logins']} logins, {p['refused']} refused" for p in per_hour[-MAX_HOURS:])
    code_text = "/".join(str(c) for c in codes)
    detail = (f"{total} login(s) refused, no free seat (protection error {code_text}), between {when(since)} and "
              f"{when(state.report_time)}: {who}. Per hour ({zone.key}): {table}")
    return observation(inst, "", state.report_time, detail, value=total, since=refused[0]["at"],
                       labels={"refused": total, "logins": sorted(by_login), "per_hour": per_hour},
                       historical=sysinfo_historical(state))


def _hour(at, zone) -> str:
    """The hour of `at` on the installation's clock: "2026-11-26 09:00"."""
    return at.astimezone(zone).strftime("%Y-%m-%d %H:00")
