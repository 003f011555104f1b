"""Read-side helpers of the business-analytics dashboards (managers, Kodeks analytics, user cards, search
queries, AD statistics, kAssist, disk space).

Everything is set-based: one query per panel (or two, for labels), aggregated in the database where the
rows are many, and folded in Python only over per-installation or per-user rows. Month-based values use
each installation's own calendar month (Snapshot.month, DailyRollup.day are in the installation's zone).

Definitions (00-product.md "Decisions"):
- activity = month-to-date sum of DB requests, documents opened, services, link follows, saves, prints,
  searches and kAssist requests;
- involvement = 100 × users with ≥ 1 DB request this month / seats in the reg-file;
- a filled card has all five of full name, phone, e-mail, position, department.
"""
import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from django.db import connections
from django.db.models import (
    BigIntegerField, Case, Count, Exists, F, FloatField, Func, Max, OuterRef, Subquery, When,
)
from django.db.models.functions import Cast, Coalesce, Trunc

from smart.metrics.models import DailyRollup, KnownUser, Snapshot, UserMonthCounters
from smart.metrics.queries import raw_rows
from smart.registry.models import Client

ACTIVITY = ("db_requests", "documents_opened", "services", "link_follows", "saves", "prints", "searches",
            "kassist_requests")
CARD_FIELDS = ("full_name", "phone", "email", "position", "department")
UNDETERMINED = "НеОпределён"  # the original's label for users without an AD group (B §C2, C §2)
HOUR_STEP_MAX = timedelta(days=7)  # month-to-date series per report up to a week, per day beyond


@dataclass(frozen=True)
class Label:
    name: str
    client: str
    client_id: int
    legal_name: str
    manager: str
    address: str
    dealer: str


def labels(installations) -> dict[int, Label]:
    """Names shown beside an installation: its client, manager (the installation's own, else the client's
    first) and address, in two queries."""
    rows = list(installations.values_list(
        "pk", "name", "client_id", "client__display_name", "client__legal_name", "manager__full_name",
        "manager__username", "address", "port", "dealer__display_name", "dealer__name", "state__legal_name"))
    client_ids = {r[2] for r in rows}
    client_manager = {}
    for cid, full, username in (Client.managers.through.objects.filter(client_id__in=client_ids)
                                .order_by("client_id", "user__full_name", "user__username")
                                .values_list("client_id", "user__full_name", "user__username")):
        client_manager.setdefault(cid, full or username)
    result = {}
    for pk, name, cid, client, legal, m_full, m_user, address, port, d_display, d_name, state_legal in rows:
        manager = m_full or m_user or client_manager.get(cid, "")
        addr = f"{address}:{port}" if address and port else (address or name)
        result[pk] = Label(name=name, client=client, client_id=cid, legal_name=state_legal or legal or client,
                           manager=manager, address=addr, dealer=d_display or d_name)
    return result


def series_name(label: Label | None, *extra: str) -> str:
    if label is None:
        return " ".join(extra)
    head = label.name if label.client == label.name else f"{label.client}: {label.name}"
    return " ".join([head, *extra])


def step_for(start: datetime, end: datetime) -> str:
    return "hour" if end - start <= HOUR_STEP_MAX else "day"


def local_midnight(day: date, tz) -> datetime:
    return datetime.combine(day, time(), tz)


def month_floor(d: date) -> date:
    return date(d.year, d.month, 1)


# ---- domain (AD group) filter ----------------------------------------------------------------------------

def in_domains(domains: list[str], inst_field: str = "installation", login_field: str = "login"):
    """A filter expression: the row's (installation, login) is a user of one of `domains`."""
    return Exists(KnownUser.objects.filter(installation=OuterRef(inst_field), login=OuterRef(login_field),
                                           domain__in=domains))


# ---- month-to-date series ------------------------------------------------------------------------------

def _rollup_field(counter: str) -> str:
    return "counted_searches" if counter == "searches" else counter


def month_to_date(ids, start: datetime, end: datetime, counters: tuple[str, ...], tz,
                  step: str | None = None) -> dict[int, list[tuple[datetime, float | None]]]:
    """Per installation, the month-to-date sum of `counters` (summed over the installation's users):
    per report (step "hour": the reports' own totals) or per local day (step "day": the daily increments
    accumulated from the 1st of each of the installation's months). Resets on the 1st by construction."""
    step = step or step_for(start, end)
    result: dict[int, list] = defaultdict(list)
    if step == "hour":
        cols = [f"total_{c}" for c in counters]
        rows = (Snapshot.objects.filter(installation__in=ids, report_time__gte=start, report_time__lt=end)
                .order_by("installation_id", "report_time").values_list("installation_id", "report_time", *cols))
        for inst, t, *values in rows.iterator(chunk_size=10000):
            known = [v for v in values if v is not None]
            result[inst].append((t, float(sum(known)) if known else None))
        return dict(result)
    first = month_floor((start - timedelta(days=1)).date())  # local days may start before the UTC date
    fields = [_rollup_field(c) for c in counters]
    rows = (DailyRollup.objects.filter(installation__in=ids, day__gte=first, day__lte=end.date())
            .order_by("installation_id", "day").values_list("installation_id", "day", *fields))
    running: dict[tuple[int, date], float] = {}
    start_day = start.astimezone(tz).date()
    for inst, day, *values in rows.iterator(chunk_size=10000):
        key = (inst, month_floor(day))
        running[key] = running.get(key, 0.0) + sum(v or 0 for v in values)
        if day >= start_day:
            result[inst].append((local_midnight(day, tz), running[key]))
    return dict(result)


def involvement_series(ids, start: datetime, end: datetime, tz, step: str | None = None):
    """Per installation, month-to-date involvement % (users with ≥ 1 DB request / reg-file seats) from
    each report; per day the day's last value of the installation's month (the value only grows in a month)."""
    step = step or step_for(start, end)
    base = Snapshot.objects.filter(installation__in=ids, report_time__gte=start, report_time__lt=end,
                                   users_active_month__isnull=False, seats_total__gt=0)
    result: dict[int, list] = defaultdict(list)
    if step == "hour":
        rows = base.order_by("installation_id", "report_time").values_list(
            "installation_id", "report_time", "users_active_month", "seats_total")
        for inst, t, users, seats in rows.iterator(chunk_size=10000):
            result[inst].append((t, 100.0 * users / seats))
        return dict(result)
    rows = (base.annotate(t=Trunc("report_time", "day", tzinfo=tz)).values("installation_id", "t", "month")
            .annotate(users=Max("users_active_month"), seats=Max("seats_total"))
            .order_by("installation_id", "t", "month").values_list("installation_id", "t", "users", "seats"))
    for inst, t, users, seats in rows:
        points = result[inst]
        value = 100.0 * users / seats
        if points and points[-1][0] == t:  # a day cut by the installation's month start: keep the new month
            points[-1] = (t, value)
        else:
            points.append((t, value))
    return dict(result)


def month_end_peaks(ids, start: datetime, end: datetime, value, **filters) -> dict[int, float]:
    """Per installation, the largest `value` (an expression over a Snapshot row) among the last reports of
    each month in [start, end): the peak of a month-to-date series, which only grows within a month. One
    correlated sub-query per installation and month, each a backward probe of the (installation, month,
    report_time) index: for ranking series without reading every report."""
    from smart.registry.models import Installation

    months, m = [], month_floor((start - timedelta(days=1)).date())
    while m <= (end + timedelta(days=1)).date():
        months.append(m)
        m = month_floor(m + timedelta(days=32))
    subs = {f"m{k}": Subquery(Snapshot.objects.filter(installation=OuterRef("pk"), month=month, report_time__gte=start,
                                                       report_time__lt=end, **filters)
                              .order_by("-report_time").annotate(v=value).values("v")[:1])
            for k, month in enumerate(months)}
    peaks = {}
    for pk, *values in Installation.objects.filter(pk__in=list(ids)).annotate(**subs).order_by("pk") \
            .values_list("pk", *subs):
        known = [v for v in values if v is not None]
        if known:
            peaks[pk] = max(known)
    return peaks


def involvement_value():
    return Cast(F("users_active_month"), FloatField()) * 100.0 / Cast(F("seats_total"), FloatField())


def totals_value(counters: tuple[str, ...]):
    """The month-to-date sum of `counters` in a report (a missing counter counts 0)."""
    return sum_of(f"total_{c}" for c in counters)


def snapshot_as_of(ids, end: datetime, start: datetime | None = None) -> dict[int, dict]:
    """Per installation, the newest report before `end` (and at or after `start`): its month-to-date figures."""
    from smart.registry.models import Installation

    newest = Snapshot.objects.filter(installation=OuterRef("pk"), report_time__lt=end)
    if start is not None:
        newest = newest.filter(report_time__gte=start)
    picked = (Installation.objects.filter(pk__in=ids)
              .annotate(s=Subquery(newest.order_by("-report_time").values("pk")[:1]))
              .exclude(s=None).values_list("s", flat=True))
    cols = ["installation_id", "report_time", "month", "users_active_month", "seats_total", "seats_used",
            *[f"total_{c}" for c in ACTIVITY]]
    return {r["installation_id"]: r for r in Snapshot.objects.filter(pk__in=picked).values(*cols)}


def activity_of(row: dict) -> float | None:
    parts = [row.get(f"total_{c}") for c in ACTIVITY]
    if all(p is None for p in parts):
        return None
    return float(sum(p or 0 for p in parts))


def involvement_of(row: dict) -> float | None:
    users, seats = row.get("users_active_month"), row.get("seats_total")
    if users is None or not seats:
        return None
    return 100.0 * users / seats


# ---- per-user month counters --------------------------------------------------------------------------

def _user_month_rows(ids, start: datetime, end: datetime, domains: list[str] | None, tz):
    if tz is not None:
        start, end = start.astimezone(tz), (end - timedelta(microseconds=1)).astimezone(tz)
    qs = UserMonthCounters.objects.filter(installation__in=ids, month__gte=month_floor(start.date()),
                                          month__lte=end.date())
    if domains:
        qs = qs.filter(in_domains(domains))
    return qs


def user_months(ids, start: datetime, end: datetime, domains: list[str] | None = None, fields=ACTIVITY, tz=None):
    """UserMonthCounters rows of the calendar months the range touches (in `tz`, the viewer's zone): the
    newest report of each month per user, its month-to-date values and the time of the report they come from."""
    return _user_month_rows(ids, start, end, domains, tz).order_by("installation_id", "login", "month").values_list(
        "installation_id", "login", "month", "report_time", *fields)


def user_month_peaks(ids, start: datetime, end: datetime, domains, fields, tz) -> dict[tuple[int, str], float]:
    """Per (installation, login), the largest non-zero month-to-date sum of `fields` among the user_months
    rows reported before `end`: the peak of the user's series, found in the database to rank users."""
    rows = (_user_month_rows(ids, start, end, domains, tz).filter(report_time__lt=end).annotate(v=sum_of(fields))
            .filter(v__gt=0).values("installation_id", "login").annotate(peak=Max("v"))
            .order_by("installation_id", "login").values_list("installation_id", "login", "peak"))
    return {(inst, login): peak for inst, login, peak in rows}


def zero_query_months(ids, start: datetime, end: datetime, domains: list[str] | None, tz) -> dict:
    """Per (installation, month) of the user_months rows: (users in the month's statistics, registered accounts
    seen during the month in `tz` with no DB request in it), counted in the database: one count of the rows,
    then per month one count of accounts without an active row (anti-join on the (installation, month,
    login) key)."""
    rows = _user_month_rows(ids, start, end, domains, tz)
    total = {(inst, month): n for inst, month, n in rows.values("installation_id", "month")
             .annotate(n=Count("pk")).order_by().values_list("installation_id", "month", "n")}
    by_month = defaultdict(list)
    for inst, month in total:
        by_month[month].append(inst)
    idle = {}
    for month, insts in by_month.items():
        begin = local_midnight(month, tz)
        stop = local_midnight(month_floor(month + timedelta(days=32)), tz)
        active = UserMonthCounters.objects.filter(installation=OuterRef("installation"), login=OuterRef("login"),
                                                  month=month, db_requests__isnull=False).exclude(db_requests=0)
        accounts = KnownUser.objects.filter(installation__in=insts, first_seen__lt=stop, last_seen__gte=begin)
        if domains:
            accounts = accounts.filter(domain__in=domains)
        for inst, n in (accounts.filter(~Exists(active)).values("installation_id").annotate(n=Count("pk"))
                        .order_by().values_list("installation_id", "n")):
            idle[(inst, month)] = n
    return {key: (n, idle.get(key, 0)) for key, n in total.items()}


# ---- accounts not using the system ----------------------------------------------------------------------

INACTIVE_AFTER = timedelta(days=60)


class EpochMicroseconds(Func):
    """A timestamp as integer microseconds since the Unix epoch (UTC), worked out in the database: loading tens
    of thousands of timestamps costs more than the work done with them (Django's time-zone loader parses each
    in Python), an integer loads several times faster and compares and hashes faster too."""
    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(EXTRACT(EPOCH FROM {sql}) * 1000000)::bigint", params

    def as_sqlite(self, compiler, connection, **extra):  # stored as "YYYY-MM-DD HH:MM:SS[.ffffff]", in UTC
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"(CAST(strftime('%%s', {sql}) AS INTEGER) * 1000000 + CAST(substr({sql} || '.000000', 21, 6) "
                "AS INTEGER))"), params * 2

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"EpochMicroseconds on {connection.vendor}")


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def from_epoch_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def to_epoch_us(t: datetime) -> int:
    return (t - _EPOCH) // timedelta(microseconds=1)


@contextmanager
def no_cycle_collection():
    """Pause the cyclic garbage collector while building many small acyclic containers (tuples, lists): at
    20,000 accounts its repeated passes over the growing survivors cost more than the building itself."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def fetch_raw(qs) -> list[tuple]:
    """The rows of a values_list query as the database driver returns them, without Django's per-value
    converters: for integer and text columns, which they leave as they are."""
    return raw_rows(qs)


def inactive_spans_us(ids, domains, since) -> dict[tuple[int, str], list[tuple[int, int | None]]]:
    """inactive_spans in epoch microseconds (EpochMicroseconds): for panels that convert only what they draw."""
    users = KnownUser.objects.filter(installation__in=ids)
    if domains:
        users = users.filter(domain__in=domains)
    # the account's last sighting if older than the installation's newest report: it is gone since
    gone = Case(When(last_seen__lt=F("installation__state__report_time"), then=F("last_seen")), default=None)
    users = users.order_by("installation_id", "pk").values_list(
        "installation_id", "login", EpochMicroseconds("first_seen"), EpochMicroseconds("registered_on"),
        EpochMicroseconds("last_login_at"), EpochMicroseconds(gone))
    active = UserMonthCounters.objects.filter(installation__in=ids, db_requests__gt=0)
    if domains:
        active = active.filter(in_domains(domains))
    moments = active.values_list("installation_id", "login", EpochMicroseconds("report_time"))
    if since is not None:
        cutoff = since - INACTIVE_AFTER
        moments = moments.filter(report_time__gte=cutoff).union(
            active.filter(report_time__lt=cutoff).values("installation_id", "login")
            .annotate(t=EpochMicroseconds(Max("report_time"))).values_list("installation_id", "login", "t"), all=True)
    with no_cycle_collection():
        accounts = {}
        for inst, login, born, registered, last_login, gone_at in fetch_raw(users):
            if registered is not None and registered < born:  # from midnight (UTC) of the registration day
                born = registered
            accounts[(inst, login)] = (born, gone_at, [] if last_login is None else [last_login])
        get = accounts.get
        for inst, login, t in fetch_raw(moments):
            acc = get((inst, login))
            if acc is not None:
                acc[2].append(t)
        return _spans(accounts)


def _spans(accounts: dict) -> dict:
    after = INACTIVE_AFTER // timedelta(microseconds=1)
    spans = {}
    for key, (born, gone, moments) in accounts.items():
        if not moments:  # never active: one span, from registration
            if gone is None or born + after < gone:
                spans[key] = [(born + after, gone)]
            continue
        marks = sorted({born, *moments})
        marks.append(None)
        found = []
        a = marks[0]
        for b in marks[1:]:
            begin = a + after
            stop = b if gone is None or (b is not None and b < gone) else gone
            if stop is None or begin < stop:
                found.append((begin, stop))
            a = b
        if found:
            spans[key] = found
    return spans


def inactive_spans(ids, domains: list[str] | None = None,
                   since: datetime | None = None) -> dict[tuple[int, str], list[tuple[datetime, datetime | None]]]:
    """Per (installation, login), the spans during which the account had made no DB request for 60 days.

    The activity moments of an account are the report times of its month rows with DB requests (each row is
    rewritten only when a counter changes, so its time is the account's last action that month) and its last
    login; gaps within a month are shorter than 60 days, so these moments give the spans exactly (to a report).
    An account with no activity counts from its registration (or first sighting); an account no longer listed
    by the installation's newest report stops counting when it disappeared. With `since`, spans ending before
    it may be left out (of the moments 60 days before it, only the latest matters: one aggregated row each).
    Accounts come by installation, in the order they were recorded."""
    return {key: [(from_epoch_us(a), None if b is None else from_epoch_us(b)) for a, b in items]
            for key, items in inactive_spans_us(ids, domains, since).items()}


def inactive_counts(ids, domains: list[str] | None, start: datetime, end: datetime):
    """count_over_time(inactive_spans(ids, domains, start), start, end), worked out in epoch microseconds."""
    spans = inactive_spans_us(ids, domains, start)
    with no_cycle_collection():
        return _count_us(spans, start, end)


def _count_us(spans: dict, start: datetime, end: datetime) -> dict[int, list[tuple[datetime, int]]]:
    s, e = to_epoch_us(start), to_epoch_us(end)
    return _step_counts(spans, s, e, lambda t: start if t == s else from_epoch_us(t), end)


def count_over_time(spans: dict, start: datetime, end: datetime) -> dict[int, list[tuple[datetime, int]]]:
    """Per installation, the number of accounts inside a span, as a step series over [start, end]."""
    return _step_counts(spans, start, end, lambda t: t, end)


def _step_counts(spans: dict, lo, hi, as_time, end: datetime) -> dict[int, list[tuple[datetime, int]]]:
    """The step series of `count_over_time` over span ends comparable with `lo` and `hi` (times, or epoch
    microseconds turned back into times by `as_time`)."""
    deltas = defaultdict(lambda: defaultdict(int))
    for (inst, _login), items in spans.items():
        changes = deltas[inst]
        for begin, stop in items:
            changes[begin if begin > lo else lo] += 1
            if stop is not None:
                changes[stop if stop > lo else lo] -= 1
    result = {}
    for inst, changes in deltas.items():
        level, points = 0, []
        for t in sorted(changes):
            level += changes[t]
            if t >= hi:
                break
            points.append((as_time(t), level))
        if points:
            points.append((end, points[-1][1]))
            result[inst] = points
    return result


def card_filled(row: dict) -> bool:
    return cells_filled(row.get(f) for f in CARD_FIELDS)


def cells_filled(values) -> bool:
    """A card's CARD_FIELDS values, in that order, are all filled in."""
    return all((v or "").strip() for v in values)


def sum_of(fields) -> Coalesce:
    """The sum of a row's `fields`, a missing value counting 0 (an expression)."""
    fields = list(fields)
    return sum((Coalesce(F(f), 0) for f in fields[1:]), Coalesce(F(fields[0]), 0))


def max_per_key(grouped, key: str, value: str) -> dict:
    """{key: the largest `value`} over a grouped queryset's rows (e.g. per installation and hour), both steps in
    the database: for ranking series before reading the drawn ones. Ordered by key."""
    q = connections[grouped.db].ops.quote_name
    return dict(raw_rows(grouped.order_by(),
                         f"SELECT g.{q(key)}, MAX(g.{q(value)}) FROM ({{sql}}) g GROUP BY g.{q(key)} ORDER BY 1"))
