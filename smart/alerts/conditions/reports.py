"""Conditions over the facts of reports (sysinfo, .status files) and of the registry.

Each kind takes (condition, Scope) and returns {object_key: Observation} for the installations of the
scope where the condition holds now; facts.py says how the newest report, time, historical backlogs and
object keys are read. Decisions where the catalogue and D are silent:
- Object keys: "i{id}", extended per DB error entry (`|vol:`, `|code:`, `|msg:`, `|group:` after `per`),
  per operup file (`|file:`), partition (`|disk:`), licence (`|licence:`, `|vol:`) and stream (`|stream:`).
- A per-instance P-level (error codes) goes to labels["priority"]: the lifecycle keeps the rule's
  P-level on the alert.
- `consecutive` status files are counted by their own times: a late file that falls inside a run
  breaks it (the run was not unbroken); one from before the run changes nothing.
- A status series K/TE does not expose yet (a catalogue `proposed_series` such as spp_up) is unknown,
  never true: StatusSample has no column for it until status_series.json curates it.
- operup_age's threshold is the rule's: the registry has no per-client threshold (D §1.4 #7) yet.
"""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Count, F, Max, Min, Q

from smart.alerts.lifecycle import Observation
from smart.ingest.models import Channel
from smart.metrics.models import (
    STATUS_SERIES, DbErrorEvent, DiskFree, InstallationState, LicenceState, OperupEvent, StatusSample,
)
from smart.registry.models import Client, Installation

from .facts import (
    DAY, compare, fresh, installations, listed_in_newest, observation, part, span, states, status_historical,
    sysinfo_historical, when,
)
from .kte_errors import describe, message_key, normalised

DEFAULT_CODE_PRIORITY = "P2"  # catalogue: "P2 when the code has none"
LOOKUPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "==": "exact"}
KEY_NAMES = {"volume": "vol", "message": "msg", "code": "code", "group": "group"}  # db_error `per` → key part


# ---- status files ---------------------------------------------------------------------------------

def status_value(condition: dict, scope) -> dict:
    """The newest `consecutive` status files all have `series op value` (value: a number or
    {"series": other}); with mode "increase", the series' increase over `window_s` up to each file is
    compared instead. Only while the newest status file is at most `max_age_s` old."""
    series, op, value = condition["series"], condition["op"], condition["value"]
    other = value["series"] if isinstance(value, dict) else None
    if series not in STATUS_SERIES or (other is not None and other not in STATUS_SERIES):
        return {}
    increase, needed = condition.get("mode") == "increase", condition.get("consecutive", 1)
    found = {}
    for state in states(scope, status_observed_at__isnull=False):
        if not fresh(state.status_observed_at, scope.now, condition.get("max_age_s")):
            continue
        samples = StatusSample.objects.filter(installation_id=state.installation_id)
        if increase:
            rises = _increases(samples, series, condition["window_s"], needed)
            if len(rises) < needed or not all(compare(r, op, value) for r in rises):
                continue
            shown, since = rises[0], None
            text = f"{series} rose by {shown:g} within {span(condition['window_s'])}"
        else:
            newest = state.status_values.get(series)
            if not compare(newest, op, state.status_values.get(other) if other else value):
                continue  # cheap: the newest file already says no
            since = _streak_start(samples, series, op, F(other) if other else value, needed)
            if since is None:
                continue
            shown = newest
            text = f"{series} = {newest:g} ({op} {other or value}) in the status files since {when(since)}"
        inst = state.installation
        found[f"i{inst.id}"] = observation(inst, "", state.status_observed_at, text, value=f"{shown:g}", since=since,
                                           labels={"series": series, "value": shown},
                                           historical=status_historical(state))
    return found


def _streak_start(samples, series: str, op: str, rhs, needed: int):
    """Start of the run of samples, up to the newest, where the comparison holds; None if shorter than `needed`."""
    holds = ~Q(**{series: rhs}) if op == "!=" else Q(**{f"{series}__{LOOKUPS[op]}": rhs})
    unknown = Q(**{f"{series}__isnull": True})
    if isinstance(rhs, F):
        unknown |= Q(**{f"{rhs.name}__isnull": True})
    last_break = samples.filter(~holds | unknown).aggregate(at=Max("observed_at"))["at"]
    run = samples.filter(observed_at__gt=last_break) if last_break else samples
    found = run.aggregate(n=Count("pk"), first=Min("observed_at"))
    return found["first"] if found["n"] >= needed else None


def _increases(samples, series: str, window_s: float, needed: int) -> list[float]:
    """The series' increase over `window_s` up to each of the newest `needed` samples (counter resets
    count from zero), newest first."""
    rows = samples.filter(**{f"{series}__isnull": False}).order_by("-observed_at")
    ends = list(rows.values_list("observed_at", flat=True)[:needed])
    if not ends:
        return []
    points = list(rows.filter(observed_at__gte=ends[-1] - timedelta(seconds=window_s))
                  .order_by("observed_at").values_list("observed_at", series))
    rises = []
    for end in ends:
        values = [v for at, v in points if end - timedelta(seconds=window_s) <= at <= end]
        if len(values) > 1:
            rises.append(sum(b - a if b >= a else b for a, b in zip(values, values[1:])))
    return rises


def disk_free(condition: dict, scope) -> dict:
    """A partition of the newest status file has less than `below_bytes` free."""
    limit = condition["below_bytes"]
    rows = (DiskFree.objects.filter(installation__in=installations(scope), free_bytes__lt=limit,
                                    installation__state__status_observed_at=F("observed_at"))
            .select_related("installation__client", "installation__state__status_report"))
    found = {}
    for row in rows:
        inst = row.installation
        total = f" of {_gb(row.total_bytes)}" if row.total_bytes else ""
        obs = observation(inst, f"|disk:{part(row.path)}", row.observed_at,
                          f"{_gb(row.free_bytes)} free{total} on {row.path} (below {_gb(limit)})",
                          value=row.free_bytes, labels={"path": row.path, "free_bytes": row.free_bytes},
                          historical=status_historical(inst.state))
        found[obs.object_key] = obs
    return found


def _gb(size: int) -> str:
    return f"{size / 1024 ** 3:.1f} GB"


# ---- the newest sysinfo ---------------------------------------------------------------------------

def state_compare(condition: dict, scope) -> dict:
    """A field of the newest sysinfo's state compares with `value` (a constant, a list for in/not_in, or
    {"field": other}); only while that sysinfo is at most `max_report_age_s` old."""
    field, op, value = condition["field"], condition["op"], condition["value"]
    other = value["field"] if isinstance(value, dict) else None
    name = InstallationState._meta.get_field(field).verbose_name
    found = {}
    for state in states(scope, report_time__isnull=False):
        if not fresh(state.report_time, scope.now, condition.get("max_report_age_s")):
            continue
        left = getattr(state, field)
        right = getattr(state, other) if other else value
        if not compare(left, op, right):
            continue
        shown = "missing" if left == "" else left
        against = f"{InstallationState._meta.get_field(other).verbose_name} {right}" if other else right
        inst = state.installation
        found[f"i{inst.id}"] = observation(
            inst, "", state.report_time,
            f"{name} is {shown} ({op} {against}) in the sysinfo of {when(state.report_time)}",
            value=shown, labels={"field": field, "value": left}, historical=sysinfo_historical(state))
    return found


def licence_horizon(condition: dict, scope) -> dict:
    """A licence of the newest sysinfo ends within (after_days, within_days] from now. A licence dated D
    is valid through D in the installation's zone: it ends at the next local midnight."""
    after, within = condition["after_days"] * DAY, condition["within_days"] * DAY
    found = {}
    for row in listed_in_newest(LicenceState, scope, seen="report_time").filter(expires_on__isnull=False):
        inst, state = row.installation, row.installation.state
        ends = datetime.combine(row.expires_on + timedelta(days=1), time(0), ZoneInfo(inst.time_zone))
        left = (ends - scope.now).total_seconds()
        if not after < left <= within:
            continue
        at = max(state.report_time, ends - timedelta(seconds=within))  # when it entered this horizon
        volume = f" (volume {row.volume})" if row.volume else ""
        suffix = f"|licence:{part(row.product)}" + (f"|vol:{part(row.volume)}" if row.volume else "")
        obs = observation(
            inst, suffix, at, f"licence «{row.product}»{volume} expires on {row.expires_on:%d.%m.%Y} "
            f"({span(left)} left, {inst.time_zone})", value=row.expires_on.isoformat(),
            labels={"product": row.product, "volume": row.volume, "expires_on": row.expires_on.isoformat()},
            historical=sysinfo_historical(state) and at < state.received_at)
        found[obs.object_key] = obs
    return found


def licence_undated(condition: dict, scope) -> dict:
    """A licence of the newest sysinfo has no expiry date, or the sysinfo has no licence block (E16)."""
    listed = {}
    for row in listed_in_newest(LicenceState, scope, seen="report_time"):
        listed.setdefault(row.installation_id, []).append(row)
    found = {}
    for state in states(scope, report_time__isnull=False):
        rows = listed.get(state.installation_id, [])
        undated = [r.product + (f" ({r.volume})" if r.volume else "") for r in rows if r.expires_on is None]
        if rows and not undated:
            continue
        text = (f"no expiry date for {', '.join(sorted(undated))}" if rows else "no licence block") + \
            f" in the sysinfo of {when(state.report_time)}: the licence-expiry warnings are blind"
        inst = state.installation
        found[f"i{inst.id}"] = observation(inst, "", state.report_time, text, value=len(undated),
                                           labels={"undated": sorted(undated)}, historical=sysinfo_historical(state))
    return found


def db_error(condition: dict, scope) -> dict:
    """Entries of the newest sysinfo's DB error sections with no code (`codes` "none"), one of `codes`,
    or any code but `exclude_codes` ("any"), codes alias-normalised; one instance per `per` fields.
    `min_share_of_volumes`: only where that share of the installation's volumes (kserver_volumes of the
    newest status file; unknown without it) is affected. `priority_by_code`: labels carry the code's P-level."""
    per = condition.get("per", ["volume"])
    groups = {}
    for row in listed_in_newest(DbErrorEvent, scope, max_age_s=condition.get("max_report_age_s")):
        code = normalised(row.group, row.code, row.alias)
        if _wanted(condition, code, row):
            fields = {"volume": row.volume, "message": message_key(row.message), "code": code, "group": row.group}
            suffix = "".join(f"|{KEY_NAMES[p]}:{part(fields[p])}" for p in per)
            groups.setdefault((row.installation_id, suffix), []).append((row, code))
    if condition.get("min_share_of_volumes"):
        groups = _share_reached(groups, condition["min_share_of_volumes"])
    found = {}
    for (_, suffix), entries in groups.items():
        obs = _db_observation(suffix, entries, condition.get("priority_by_code", False))
        found[obs.object_key] = obs
    return found


def _wanted(condition: dict, code, row) -> bool:
    codes = condition["codes"]
    if codes == "none":
        return code is None
    excluded = set(condition.get("exclude_codes") or ())
    if code is None or excluded & {code, row.code, row.alias}:
        return False
    return codes == "any" or code in codes


def _share_reached(groups: dict, share: float) -> dict:
    affected, totals = {}, {}
    for entries in groups.values():
        for row, _ in entries:
            affected.setdefault(row.installation_id, set()).add(row.volume)
            totals[row.installation_id] = row.installation.state.status_values.get("volumes")
    kept = {i for i, volumes in affected.items() if totals[i] and len(volumes) / totals[i] >= share}
    return {key: entries for key, entries in groups.items() if key[0] in kept}


def _db_observation(suffix: str, entries: list, by_code: bool) -> Observation:
    row = entries[0][0]
    texts, codes, priorities = [], [], []
    for entry, code in entries:
        known = describe(entry.group, code)
        volume = f" on volume {entry.volume}" if entry.volume else ""
        if code is None:
            texts.append(f"DB error without a code{volume}: «{entry.message}»")
            continue
        codes.append(code)
        priorities.append(known["priority"] if known else DEFAULT_CODE_PRIORITY)
        texts.append(f"error {code}{volume}: {known['meaning'] if known else 'unknown code'} «{entry.message}»")
    labels = {"volume": row.volume, "code": codes[0] if codes else None, "message": message_key(row.message),
              "group": row.group}
    if by_code and codes:
        labels["priority"] = min(priorities)
        labels["unknown_code"] = any(describe(e.group, c) is None for e, c in entries if c is not None)
    state = row.installation.state
    return observation(row.installation, suffix, state.report_time, "; ".join(texts),
                       value=",".join(str(c) for c in sorted(set(codes))), since=min(e.first_seen for e, _ in entries),
                       labels=labels, historical=sysinfo_historical(state))


def operup_age(condition: dict, scope) -> dict:
    """An operup file of the newest sysinfo was modified more than `older_than_s` before the report's
    own time (D §1.4 #7: the report's internal time, not the receipt time)."""
    limit = condition["older_than_s"]
    newest = {}
    for row in listed_in_newest(OperupEvent, scope):
        key = (row.installation_id, row.path)
        if key not in newest or row.modified_at > newest[key].modified_at:
            newest[key] = row
    found = {}
    for row in newest.values():
        inst, state = row.installation, row.installation.state
        age = (state.report_time - row.modified_at).total_seconds()
        if age <= limit:
            continue
        obs = observation(inst, f"|file:{part(row.path)}", state.report_time,
                          f"operup file {row.path} was {span(age)} old at the report time (modified "
                          f"{when(row.modified_at)}, limit {span(limit)})", value=int(age),
                          labels={"file": row.path, "age_s": int(age)}, historical=sysinfo_historical(state))
        found[obs.object_key] = obs
    return found


def clock_skew(condition: dict, scope) -> dict:
    """The own time of a stream's newest report differs from SMART's receipt time by more than
    `max_abs_s`; only reports of `channels` (a manual upload's receipt time says nothing). `at` is the
    receipt time: the report's own clock is the thing in doubt."""
    limit = condition["max_abs_s"]
    streams = set(condition.get("streams", ("sysinfo", "status")))
    channels = set(condition.get("channels", (Channel.LEGACY, Channel.API, Channel.PULL)))
    found = {}
    for state in states(scope):
        readings = (("sysinfo", state.report_time, state.received_at, state.report),
                    ("status", state.status_observed_at, state.status_received_at, state.status_report))
        for stream, own, received, report in readings:
            if stream not in streams or own is None or received is None or report is None \
                    or report.channel not in channels:
                continue
            skew = (own - received).total_seconds()
            if abs(skew) <= limit:
                continue
            direction = "ahead of" if skew > 0 else "behind"
            obs = observation(state.installation, f"|stream:{stream}", received,
                              f"the {stream}'s own time {when(own)} is {span(skew)} {direction} SMART's receipt "
                              f"time {when(received)}", value=int(skew), labels={"stream": stream, "skew_s": int(skew)})
            found[obs.object_key] = obs
    return found


# ---- the registry ---------------------------------------------------------------------------------

def registry_flag(condition: dict, scope) -> dict:
    """The installation's client (or the installation itself) carries the boolean registry `flag`
    with `value`. Registry facts have no time of their own: `at` is the evaluation time."""
    flag, value = condition["flag"], condition.get("value", True)
    for model, prefix in ((Client, "client__"), (Installation, "")):
        if any(f.name == flag and isinstance(f, models.BooleanField) for f in model._meta.fields):
            break
    else:
        raise ValueError(f"registry_flag: no boolean registry field {flag!r}")
    found = {}
    for inst in installations(scope).filter(**{f"{prefix}{flag}": value}).select_related("client"):
        owner = f"the client {inst.client.display_name}" if prefix else "the installation"
        text = f"{owner} is {'' if value else 'not '}flagged “{flag.replace('_', ' ')}”"
        found[f"i{inst.id}"] = observation(inst, "", scope.now, text, value=str(value).lower(), labels={"flag": flag})
    return found
