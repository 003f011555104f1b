"""Online-access conditions over what the scraper read (smart.probes OnlineCounters and CheckSample):
`counter_left`, `repeated_exhaustion`, and the event `scraper_consumed_units`; and the time rules every
online condition shares (zones, quota months, the newest reading).

Time zone of an online access: it has none of its own. It takes its client's zone, that of the client's
first installation (lowest id, not archived), and else Europe/Moscow, the zone of the vendor's DC
(`time_zone` of pages/online.json), where the counters are reset.

Quota month: the client's calendar month (E11), but never starting before the vendor restores the
counters of that month. A client east of Moscow enters the new month hours before its counters are
reset; a reading from those hours still shows the old month and counts for neither month, so a quota
alert resolves on the client's 1st and does not come back until the vendor resets the counters.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _, gettext_lazy

from smart.alerts.lifecycle import Observation
from smart.alerts.models import Alert, State
from smart.probes.models import Check, CheckSample, OnlineCounters
from smart.probes.online import COUNTERS, GUARD_REFUSED
from smart.probes.pages import load as load_pages
from smart.registry.models import Installation, OnlineAccess

COUNTER_NAMES = {"documents": gettext_lazy("document-opening"), "search": gettext_lazy("search"),
                 "print": gettext_lazy("print"), "export": gettext_lazy("export")}
MIN_FORECAST = timedelta(days=3)  # [P] a burn rate measured over less of the month is noise


@cache
def vendor_zone() -> ZoneInfo:
    return ZoneInfo(load_pages("online")["time_zone"])


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else vendor_zone()
    except (ZoneInfoNotFoundError, ValueError):
        return vendor_zone()


# ---- time -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime


def month_start(instant: datetime, zone: ZoneInfo) -> datetime:
    local = instant.astimezone(zone)
    return datetime(local.year, local.month, 1, tzinfo=zone)


def next_month(start: datetime) -> datetime:
    return datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=start.tzinfo)


def quota_month(year: int, month: int, zone: ZoneInfo) -> Period:
    """The quota month (year, month) of a client in `zone` (see the module docstring)."""
    client = datetime(year, month, 1, tzinfo=zone)
    return Period(max(client, datetime(year, month, 1, tzinfo=vendor_zone())), next_month(client))


def quota_period(instant: datetime, zone: ZoneInfo) -> Period:
    """The quota month the client is in at `instant` (its start may still be ahead of `instant`)."""
    local = instant.astimezone(zone)
    return quota_month(local.year, local.month, zone)


# ---- objects --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Access:
    id: int
    dealer_id: int
    client_id: int
    name: str  # host/folder login, as technicians know the access
    zone: ZoneInfo

    def observe(self, key: str, at: datetime, value: str, detail: str, **labels) -> Observation:
        return Observation(object_key=key, at=at, value=value, detail=f"{self.name}: {detail}"[:1000],
                           dealer_id=self.dealer_id, online_access_id=self.id, client_id=self.client_id,
                           labels={"host": self.name, **labels})


def client_zones(client_ids) -> dict[int, ZoneInfo]:
    """Each client's zone: its first installation's, else the vendor's."""
    zones = {}
    rows = (Installation.objects.filter(client_id__in=list(client_ids), archived_at__isnull=True)
            .order_by("client_id", "pk").values_list("client_id", "time_zone"))
    for client_id, name in rows:
        zones.setdefault(client_id, zone_of(name))
    return {c: zones.get(c, vendor_zone()) for c in client_ids}


def accesses(scope) -> dict[int, Access]:
    """The online accesses this evaluation is about (none in an installations-only pass)."""
    if scope.online_access_ids is None and scope.installation_ids is not None:
        return {}
    rows = OnlineAccess.objects.filter(archived_at__isnull=True)
    if scope.online_access_ids is not None:
        rows = rows.filter(pk__in=list(scope.online_access_ids))
    rows = list(rows.values_list("pk", "dealer_id", "client_id", "host", "folder", "login"))
    zones = client_zones({r[2] for r in rows})
    return {pk: Access(pk, dealer, client, f"{host.strip('/')}/{folder.strip('/')} {login}", zones[client])
            for pk, dealer, client, host, folder, login in rows}


def active_since(rule: str, keys) -> dict[str, datetime]:
    """Pending or firing instances of `rule` among `keys`: when each began."""
    rows = Alert.objects.filter(rule=rule, object_key__in=list(keys), state__in=(State.PENDING, State.FIRING))
    return dict(rows.values_list("object_key", "pending_since"))


# ---- readings -------------------------------------------------------------------------------------------

def latest_readings(as_of: dict[int, datetime], starts: dict[int, datetime]) -> dict[int, OnlineCounters]:
    """Per access, its newest reading at or before `as_of[id]`, if it was taken at or after `starts[id]`."""
    by_instant = defaultdict(list)
    for access_id, instant in as_of.items():
        by_instant[instant].append(access_id)
    picked = {}
    for instant, ids in by_instant.items():
        newest = (OnlineCounters.objects.filter(online_access=OuterRef("pk"), at__lte=instant)
                  .order_by("-at", "-pk").values("pk")[:1])
        rows = OnlineAccess.objects.filter(pk__in=ids).annotate(reading=Subquery(newest)).values_list("pk", "reading")
        picked.update({access_id: reading for access_id, reading in rows if reading is not None})
    readings = OnlineCounters.objects.in_bulk(list(picked.values()))
    return {a: readings[r] for a, r in picked.items() if readings[r].at >= starts[a]}


def left_and_limit(reading: OnlineCounters, counter: str) -> tuple[int | None, int | None]:
    if counter not in COUNTERS:
        raise ValueError(f"unknown counter {counter!r}; known: {', '.join(COUNTERS)}")
    return getattr(reading, f"{counter}_left"), getattr(reading, f"{counter}_limit")


# ---- counter_left ---------------------------------------------------------------------------------------

def counter_left(condition: dict, scope) -> dict:
    """The month's remaining units of `counter` satisfy min ≤ left < max on the newest reading of the
    quota month. An instance that saw the crossing keeps holding while the value stays under the band
    (the next band's alert then holds it back), until the quota month ends or the value recovers to
    `max` or more (a raised quota). Unlimited counters (no number shown) never hold."""
    counter, low, high = condition["counter"], condition["min"], condition["max"]
    targets = accesses(scope)
    periods = {a: quota_period(scope.now, t.zone) for a, t in targets.items()}
    readings = latest_readings(dict.fromkeys(targets, scope.now), {a: p.start for a, p in periods.items()})
    keys = {a: f"o{a}|{counter}" for a in readings}
    active = active_since(scope.rule, keys.values())
    found = {}
    for access_id, reading in readings.items():
        left, limit = left_and_limit(reading, counter)
        key = keys[access_id]
        crossed = key in active and active[key] >= periods[access_id].start
        if left is None or left >= high or (left < low and not crossed):
            continue
        detail = _("%(left)d of %(limit)s %(counter)s units left this month") % {
            "left": left, "limit": "∞" if limit is None else limit, "counter": COUNTER_NAMES[counter]}
        found[key] = targets[access_id].observe(key, reading.at, str(left), detail, counter=counter)
    return found


# ---- repeated_exhaustion --------------------------------------------------------------------------------

def _months_before(instant: datetime, zone: ZoneInfo, count: int) -> list[tuple[int, int]]:
    local = instant.astimezone(zone)
    year, month, months = local.year, local.month, []
    for _step in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append((year, month))
    return months


def _cutoff(year: int, month: int, day: int, zone: ZoneInfo) -> datetime:
    """Midnight starting local day `day` of the month (the month's end if it is shorter)."""
    start = datetime(year, month, 1, tzinfo=zone)
    return min(start + timedelta(days=day - 1), next_month(start))


def exhausted_months(targets: dict[int, Access], now: datetime, counter: str, before_day: int,
                     of_months: int) -> dict[int, set]:
    """Per access, which of the `of_months` completed quota months before now had the counter at 0
    before day `before_day` (client's zone)."""
    windows = {a: {(y, m): (quota_month(y, m, t.zone).start, _cutoff(y, m, before_day, t.zone))
                   for y, m in _months_before(now, t.zone, of_months)} for a, t in targets.items()}
    if not windows:
        return {}
    earliest = min(start for w in windows.values() for start, _ in w.values())
    rows = (OnlineCounters.objects.filter(online_access_id__in=list(targets), at__gte=earliest, at__lt=now,
                                          **{f"{counter}_left__lte": 0})
            .values_list("online_access_id", "at"))
    found = defaultdict(set)
    for access_id, at in rows:
        for month, (start, cutoff) in windows[access_id].items():
            if start <= at < cutoff:
                found[access_id].add(month)
    return found


def forecast_exhaustion(reading: OnlineCounters, counter: str, period: Period) -> datetime | None:
    """When the counter runs out at this quota month's pace so far (the reading's time if it already
    has), or None when that is after the month ends or the month is too young to tell."""
    left, limit = left_and_limit(reading, counter)
    if left is None or not limit:
        return None
    if left <= 0:
        return reading.at
    elapsed, used = reading.at - period.start, limit - left
    if elapsed < MIN_FORECAST or used <= 0:
        return None
    runs_out = reading.at + elapsed * (left / used)
    return runs_out if runs_out < period.end else None


def repeated_exhaustion(condition: dict, scope) -> dict:
    """The quota of `counter` ran out before day `before_day` in at least `min_months` of the last
    `of_months` completed months, or (`forecast`) this month's burn rate runs it out before the month
    ends (R-C12, the catalogue's wording). Once it holds in a month it holds to the month's end: the
    history only changes at a month boundary, and a sales lead does not flap with the daily pace."""
    counter, before_day = condition["counter"], condition["before_day"]
    min_months, of_months = condition["min_months"], condition["of_months"]
    targets = accesses(scope)
    history = exhausted_months(targets, scope.now, counter, before_day, of_months)
    periods = {a: quota_period(scope.now, t.zone) for a, t in targets.items()}
    readings = latest_readings(dict.fromkeys(targets, scope.now), {a: p.start for a, p in periods.items()}) \
        if condition.get("forecast") else {}
    keys = {a: f"o{a}|{counter}" for a in targets}
    active = active_since(scope.rule, keys.values())
    found = {}
    for access_id, target in targets.items():
        months = len(history.get(access_id, ()))
        reading = readings.get(access_id)
        runs_out = forecast_exhaustion(reading, counter, periods[access_id]) if reading else None
        key = keys[access_id]
        held = key in active and active[key] >= periods[access_id].start
        if months < min_months and runs_out is None and not held:
            continue
        parts = [_("the %(counter)s quota ran out before day %(day)d in %(n)d of the last %(of)d months") % {
            "counter": COUNTER_NAMES[counter], "day": before_day, "n": months, "of": of_months}]
        if runs_out is not None:
            parts.append(_("at this month's pace it runs out on %(date)s") % {
                "date": runs_out.astimezone(target.zone).strftime("%Y-%m-%d")})
        at = reading.at if reading else scope.now
        found[key] = target.observe(key, at, f"{months}/{of_months}", "; ".join(parts), counter=counter)
    return found


# ---- the scraper's own use of units (event) -------------------------------------------------------------

def scraper_consumed_units(condition: dict, scope) -> dict:
    """The scraper's billing guard refused a request to a billable page (recorded as a failed "billing" or
    "searches" sample whose detail starts with GUARD_REFUSED). Holds until SMART ops acknowledge the
    instance after the newest refusal (resolve kind "manual": acknowledge); counts the refusals since
    the previous acknowledgement."""
    targets = accesses(scope)
    rows = (CheckSample.objects.filter(online_access_id__in=list(targets), check_type__in=(Check.BILLING, Check.SEARCHES),
                                       ok=False, detail__startswith=GUARD_REFUSED, at__lte=scope.now)
            .order_by("at").values_list("online_access_id", "at", "detail"))
    refusals = defaultdict(list)
    for access_id, at, detail in rows:
        refusals[access_id].append((at, detail))
    keys = {a: f"o{a}" for a in refusals}
    acknowledged = dict(Alert.objects.filter(rule=scope.rule, object_key__in=list(keys.values()),
                                             acknowledged_at__isnull=False).values_list("object_key", "acknowledged_at"))
    found = {}
    for access_id, seen in refusals.items():
        key = keys[access_id]
        since = acknowledged.get(key)
        new = [(at, detail) for at, detail in seen if since is None or at > since]
        if not new:
            continue
        last, what = new[-1]
        detail = _("the billing guard refused %(n)d request(s) to billable pages; the last: %(what)s") % {
            "n": len(new), "what": what[len(GUARD_REFUSED):]}
        found[key] = targets[access_id].observe(key, last, str(len(new)), detail)
    return found
