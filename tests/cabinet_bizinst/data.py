"""Raw facts for the business dashboards' tests, written straight into the metrics tables from plain Python
inputs, so that each test can work out the expected figure from the same inputs by hand.

The clock: NOW is 2026-11-20 12:00 UTC; installations are in Moscow (UTC+3, no DST). One report a day at
09:00 UTC (12:00 Moscow), from 2026-10-20 to 2026-11-20.
"""
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from django.db.models import F

from smart.metrics.models import (
    COUNTERS, DailyRollup, HourlyRollup, InstallationState, KassistDay, KnownUser, OperupEvent, RefusalEvent,
    SearchEvent, SessionEvent, Snapshot, UserMonthCounters,
)

UTC = timezone.utc
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FIRST_DAY = date(2026, 10, 20)
LAST_DAY = date(2026, 11, 20)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def key(*parts) -> str:
    """An event's natural-key fingerprint (32 hex characters, as the store's)."""
    return hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()


def days():
    d = FIRST_DAY
    while d <= LAST_DAY:
        yield d
        d += timedelta(days=1)


def report_time(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 9, tzinfo=UTC)


@dataclass
class Usage:
    """One installation's raw daily inputs: increments per counter, seats, users active so far this month."""

    seats_total: int
    inc: dict = field(default_factory=dict)  # day -> {counter: increment}
    seats_used: dict = field(default_factory=dict)  # day -> occupied seats at the report
    active_users: dict = field(default_factory=dict)  # day -> users with >= 1 DB request this month so far


def usage_for(k: int, seats: int = 10) -> Usage:
    """Deterministic, different per installation k: counter c on day d grows by (k + 1) * (d.day % 5 + i)."""
    u = Usage(seats_total=seats)
    for d in days():
        u.inc[d] = {c: (k + 1) * (d.day % 5 + i) for i, c in enumerate(COUNTERS)}
        u.seats_used[d] = (d.day + k) % (seats + 1)
        u.active_users[d] = min(seats + 3, (d.day % 31) // 2 + k)  # month-to-date: grows within a month
    return u


def write_usage(inst, u: Usage) -> None:
    totals, month = {}, None
    for d in days():
        if month != (d.year, d.month):
            month, totals = (d.year, d.month), {c: 0 for c in COUNTERS}
        for c in COUNTERS:
            totals[c] += u.inc[d][c]
        t = report_time(d)
        Snapshot.objects.create(
            installation=inst, report_time=t, month=date(d.year, d.month, 1), seats_total=u.seats_total,
            seats_used=u.seats_used[d], users_total=20, users_active_month=u.active_users[d],
            **{f"total_{c}": totals[c] for c in COUNTERS}, **{f"inc_{c}": u.inc[d][c] for c in COUNTERS})
        counters = {c: u.inc[d][c] for c in COUNTERS if c != "searches"}
        common = dict(reports=1, seats_used_max=u.seats_used[d], seats_used_sum=u.seats_used[d],
                      seats_total=u.seats_total, counted_searches=u.inc[d]["searches"], **counters)
        HourlyRollup.objects.create(installation=inst, hour=t, **common)
        DailyRollup.objects.create(installation=inst, day=d, **common)
    InstallationState.objects.update_or_create(installation=inst, defaults=dict(
        report_time=report_time(LAST_DAY), seats_total=u.seats_total, seats_used=u.seats_used[LAST_DAY],
        regnum=f"REG-{inst.pk}", licence_expiry=date(2026, 12, 1), regfile_expiry=date(2027, 3, 1)))


def user(inst, login, *, domain="", card=True, first_seen=utc(2026, 1, 10), last_seen=None, last_login=None,
         registered=None):
    card_fields = dict(full_name=f"Иванов {login}", phone="+7 900 000-00-00", email=f"{login}@client.test",
                       position="юрист", department="правовой отдел") if card else dict(full_name=f"Иванов {login}")
    return KnownUser.objects.create(installation=inst, login=login, domain=domain, first_seen=first_seen,
                                    last_seen=last_seen or report_time(LAST_DAY), last_login_at=last_login,
                                    registered_on=registered, **card_fields)


def month_row(inst, login, month: date, t: datetime, **counters):
    values = {c: counters.get(c, 0) for c in COUNTERS}
    return UserMonthCounters.objects.create(installation=inst, login=login, month=month, report_time=t, **values)


def search(inst, at, login, text, results, kind="intelligent", catalogue="/docs", source="ksrv", duration_ms=800):
    """A search event, counted in its hour's and (Moscow) day's rollups as the pipeline does."""
    empty = 1 if results == 0 else 0
    HourlyRollup.objects.filter(installation=inst, hour=at.replace(minute=0, second=0)).update(
        searches=F("searches") + 1, empty_searches=F("empty_searches") + empty)
    DailyRollup.objects.filter(installation=inst, day=at.astimezone(MSK).date()).update(
        searches=F("searches") + 1, empty_searches=F("empty_searches") + empty)
    return SearchEvent.objects.create(installation=inst, fingerprint=key(inst.pk, at, login, text),
                                      at=at, login=login, text=text, search_type=kind, catalogue=catalogue,
                                      source=source, results=results, duration_ms=duration_ms)


def refusal(inst, at, login, code=2008, count=1, reason="no_free_seats"):
    return RefusalEvent.objects.create(installation=inst, fingerprint=key(inst.pk, at, login, code),
                                       at=at, login=login, code=code, reason=reason, count=count)


def session(inst, login, started):
    return SessionEvent.objects.create(installation=inst, login=login, started_at=started, first_seen=started,
                                       last_seen=started + timedelta(hours=1))


def operup(inst, path, modified, first, last):
    return OperupEvent.objects.create(installation=inst, path=path, modified_at=modified, first_seen=first,
                                      last_seen=last)


def kassist(inst, d: date, unique, unmatched, all_links, active):
    return KassistDay.objects.create(installation=inst, day=d, unique_links=unique, unmatched_links=unmatched,
                                     all_links=all_links, active_links=active, report_time=report_time(d))
