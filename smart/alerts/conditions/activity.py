"""Conditions over what users did: searches (sysinfo search log, online search history) and logins.

Both are events that resolve by quiet: a condition holds while its newest matching event is younger
than the rule's quiet_s, so new events keep it firing and the periodic evaluator resolves it once
quiet_s passes without one.

Decisions where the catalogue and D are silent:
- search_log: one instance per (user, query) pair (key "i{id}|q:<hash>" or "o{id}|q:<hash>"): every
  empty search is news ("[FIRING:9] SearchEmpty" counts searches), and with `dedupe_s` the repeats of a
  pair collapse into its instance (the catalogue's dedupe_s equals quiet_s, which makes this exact).
  Without `dedupe_s` every event is its own instance. `min_count` counts the object's distinct events
  in the window. Online search history has no error flag, so result "error" is sysinfo only. An
  installation search is historical when it reached SMART in a closed network's backlog.
- login_spread: per login ("i{id}|user:<login>"). Two sessions of one login from `min_distinct_ips`
  different addresses whose starts lie within `window_s`, or (`simultaneous_sessions`) two sessions a
  report listed at the same time (their first/last-seen spans overlap). The event's time is the later
  session's start, or the last report that listed both.
"""
import hashlib
import re
from datetime import timedelta

from django.db.models import Q

from smart.alerts.lifecycle import Observation
from smart.metrics.models import SearchEvent, SessionEvent
from smart.probes.models import OnlineSearch
from smart.registry.models import Installation, OnlineAccess

from .facts import installations, observation, part, quiet_s, span, sysinfo_historical, when

DEFAULT_WINDOW_S = 3600  # prometheus.json default_search_window_s, for a rule that does not resolve by quiet


def accesses(scope):
    """Live online accesses this pass is about (none in a pass about installations only)."""
    if scope.online_access_ids is None and scope.installation_ids is not None:
        return OnlineAccess.objects.none()
    rows = OnlineAccess.objects.filter(archived_at__isnull=True)
    return rows if scope.online_access_ids is None else rows.filter(pk__in=scope.online_access_ids)


def search_log(condition: dict, scope) -> dict:
    """Searches with `result` ("empty" or "error") lately, one instance per (user, query) pair or event."""
    result = condition["result"]
    keep = quiet_s(scope) or condition.get("window_s", DEFAULT_WINDOW_S)
    after = scope.now - timedelta(seconds=keep)
    match = Q(error=True) if result == "error" else Q(results=0, error=False)
    events = {}
    for row in (SearchEvent.objects.filter(match, installation__in=installations(scope), at__gt=after)
                .select_related("installation__client", "installation__state__report").order_by("at")):
        events.setdefault(("i", row.installation), []).append(row)
    if result == "empty":
        for row in (OnlineSearch.objects.filter(online_access__in=accesses(scope), at__gt=after, results=0)
                    .select_related("online_access").order_by("at")):
            events.setdefault(("o", row.online_access), []).append(row)
    found = {}
    for (kind, owner), rows in events.items():
        instances = {}
        for row in rows:
            pair = _pair(row) if condition.get("dedupe_s") else row.fingerprint
            instances.setdefault(pair, []).append(row)
        if len(instances) < condition.get("min_count", 1):
            continue
        for pair, same in instances.items():
            obs = _search_observation(kind, owner, pair, same, result)
            found[obs.object_key] = obs
    return found


def _pair(row) -> str:
    text = re.sub(r"\s+", " ", (row.text or "").casefold()).strip()
    return hashlib.blake2b(f"{row.login}\x1f{text}".encode(), digest_size=8).hexdigest()


def _search_observation(kind: str, owner, pair: str, rows: list, result: str) -> Observation:
    last = rows[-1]
    catalogue = getattr(last, "catalogue", "") or (owner.folder if kind == "o" else "")
    what = "the search engine failed" if result == "error" else "nothing found"
    repeats = f" (×{len(rows)})" if len(rows) > 1 else ""
    detail = (f"{last.login or '?'} searched «{(last.text or '')[:200]}» in {catalogue} ({last.search_type}) "
              f"at {when(last.at)}: {what}{repeats}")
    labels = {"user": last.login, "query": (last.text or "")[:200], "catalogue": catalogue,
              "search_type": last.search_type, "count": len(rows), "at": last.at.isoformat()}
    if kind == "i":  # searches come with a sysinfo, so the installation has a state
        return observation(owner, f"|q:{pair}", last.at, detail, value=len(rows), since=rows[0].at, labels=labels,
                           historical=sysinfo_historical(owner.state, last.at))
    host = f"{owner.host}/{owner.folder} {owner.login}"
    return Observation(object_key=f"o{owner.id}|q:{pair}", at=last.at, since=rows[0].at, value=str(len(rows)),
                       detail=f"{host}: {detail}"[:1000], dealer_id=owner.dealer_id, online_access_id=owner.id,
                       client_id=owner.client_id, labels={"host": host, **labels})


def login_spread(condition: dict, scope) -> dict:
    """Logins used from several places within `window_s`, or in simultaneous sessions, lately."""
    window = condition["window_s"]
    keep = quiet_s(scope) or window
    after = scope.now - timedelta(seconds=keep)
    sessions = {}
    recent = (SessionEvent.objects.filter(installation__in=installations(scope),
                                          last_seen__gt=after - timedelta(seconds=window))
              .only("installation_id", "login", "started_at", "ip", "first_seen", "last_seen"))
    for row in recent.order_by("started_at"):
        sessions.setdefault((row.installation_id, row.login), []).append(row)
    events = {}
    for (inst_id, login), rows in sessions.items():
        spread = _spread(rows, window, condition.get("min_distinct_ips", 2))
        together = _together(rows) if condition.get("simultaneous_sessions") else None
        times = [e[0] for e in (spread, together) if e]
        if times and max(times) > after:
            events[(inst_id, login)] = (max(times), spread, together)
    if not events:
        return {}
    owners = Installation.objects.select_related("client", "state__report").in_bulk({i for i, _ in events})
    found = {}
    for (inst_id, login), (at, spread, together) in events.items():
        inst = owners[inst_id]
        parts = []
        if spread:
            parts.append(f"from {len(spread[1])} addresses ({', '.join(spread[1])}) within {span(window)}")
        if together:
            parts.append(f"in {together[1]} sessions at once (last listed {when(together[0])})")
        obs = observation(inst, f"|user:{part(login)}", at, f"login {login} used {' and '.join(parts)}", value=login,
                          labels={"user": login, "ips": spread[1] if spread else []},
                          historical=sysinfo_historical(inst.state, at))
        found[obs.object_key] = obs
    return found


def _spread(rows: list, window: float, needed: int):
    """(time, addresses) of the latest moment `needed` addresses started sessions within `window`."""
    latest = None
    for j, row in enumerate(rows):
        ips = {r.ip for r in rows[: j + 1] if r.ip and (row.started_at - r.started_at).total_seconds() <= window}
        if row.ip and len(ips) >= needed:
            latest = (row.started_at, sorted(ips))
    return latest


def _together(rows: list):
    """(last report listing two of them, sessions it listed) for overlapping sessions, or None."""
    latest = None
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            if max(a.first_seen, b.first_seen) <= min(a.last_seen, b.last_seen):
                both = min(a.last_seen, b.last_seen)
                latest = both if latest is None else max(latest, both)
    if latest is None:
        return None
    return latest, sum(1 for r in rows if r.first_seen <= latest <= r.last_seen)
