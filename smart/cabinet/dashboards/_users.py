"""Per-user panels shared by "For managers" and "Kodeks analytics": month counters per (installation, user),
accounts not using the system, filled cards, refusals.

Per-user counters are stored per month (UserMonthCounters: the month-to-date values of the newest report
of the month, rewritten only when one changes). A per-user month-to-date series is therefore drawn from the
moment of the user's last change in a month, held flat to the month's end: exact where drawn, and not
invented before it."""
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Trunc
from django.utils.translation import gettext_lazy as _

from smart.metrics.models import KnownUser, RefusalEvent, SessionEvent, UserMonthCounters
from smart.metrics.rollup import NO_SEATS_CODES

from .. import queries_bizinst as qb
from ._series import MAX_SERIES, chart, series, top, top_keys

ROW_LIMIT = 5000  # rows of a table; a notice says when the range holds more


def _month_end(month, tz) -> datetime:
    nxt = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return qb.local_midnight(nxt, tz)


def user_month_series(ctx, fields: tuple[str, ...]) -> dict:
    """One series per (installation, user): the month-to-date sum of `fields`, from the last change of each
    month to the month's end (a gap between months)."""
    lab = qb.labels(ctx.installations)
    start, end = ctx.tr.start, ctx.tr.end
    ids, kept, ranked = ctx.installation_ids, None, None
    if len(ids) * 2 > MAX_SERIES:  # possibly more users than a chart shows: rank them in the database first
        peaks = qb.user_month_peaks(ids, start, end, ctx.values("domain"), fields, ctx.tz)
        if len(peaks) > MAX_SERIES:
            keys, ranked = top_keys(peaks, MAX_SERIES)
            kept = set(keys)
            ids = sorted({inst for inst, _login in kept})
    named = defaultdict(list)
    for inst, login, month, t, *values in qb.user_months(ids, start, end, ctx.values("domain"), fields, ctx.tz):
        if kept is not None and (inst, login) not in kept:
            continue
        value = sum(v or 0 for v in values)
        if not value:
            continue
        a, b = max(t, start), min(_month_end(month, ctx.tz), end)
        if a >= b:
            continue
        points = named[qb.series_name(lab.get(inst), login)]
        if points:
            points.append((a, None))
        points += [(a, value), (b, value)]
    drawn, notice = top(dict(named))
    return chart(series(drawn, ctx.tz, shape="hv", fill="tozeroy"), notice=notice or ranked, legend=["max", "last"])


def refusals_per_day(ctx) -> dict:
    """A11: refusals for lack of a free seat, per day (user's zone), installation and login."""
    lab = qb.labels(ctx.installations)
    qs = RefusalEvent.objects.filter(installation__in=ctx.installation_ids, at__gte=ctx.tr.start, at__lt=ctx.tr.end)
    qs = qs.filter(Q(code__in=NO_SEATS_CODES) | Q(reason="no_free_seats"))
    if d := ctx.values("domain"):
        qs = qs.filter(qb.in_domains(d))
    rows = list(qs.annotate(day=Trunc("at", "day", tzinfo=ctx.tz)).values("day", "installation_id", "login")
                .annotate(n=Sum("count")).order_by("-day", "installation_id", "login")[:ROW_LIMIT + 1])
    found = len(rows)
    rows = sorted(rows[:ROW_LIMIT], key=lambda r: (r["installation_id"], r["login"], r["day"]))
    out = []
    for r in rows:
        label = lab.get(r["installation_id"])
        out.append({"day": r["day"].date().isoformat(), "client": label.client if label else "",
                    "host": label.name if label else "", "login": r["login"], "count": r["n"]})
    data = {"columns": [
        {"key": "day", "title": str(_("Day")), "type": "text"},
        {"key": "client", "title": str(_("Client")), "type": "text"},
        {"key": "host", "title": str(_("Host")), "type": "text"},
        {"key": "login", "title": str(_("Login")), "type": "text"},
        {"key": "count", "title": str(_("Count per day")), "type": "number"},
    ], "rows": out}
    if found > ROW_LIMIT:
        data["notice"] = str(_("The newest %(n)d rows are shown; narrow the range for the rest.") % {"n": ROW_LIMIT})
    return data


def refused_users_per_hour(ctx) -> dict:
    """A12: distinct accounts refused a connection in each hour (any reason), per installation."""
    lab = qb.labels(ctx.installations)
    qs = RefusalEvent.objects.filter(installation__in=ctx.installation_ids, at__gte=ctx.tr.start, at__lt=ctx.tr.end)
    if d := ctx.values("domain"):
        qs = qs.filter(qb.in_domains(d))
    hourly = (qs.annotate(h=Trunc("at", "hour", tzinfo=ctx.tz)).values("installation_id", "h")
              .annotate(n=Count("login", distinct=True)))
    # the installations with the busiest hour, ranked in the database; only their hours are read
    kept, notice = top_keys(qb.max_per_key(hourly, "installation_id", "n"), MAX_SERIES)
    named = defaultdict(list)
    for r in hourly.filter(installation_id__in=kept).order_by("installation_id", "h"):
        named[qb.series_name(lab.get(r["installation_id"]))].append((r["h"], r["n"]))
    return chart(series(named, ctx.tz), notice=notice, legend=["count"])


def zero_queries_stats(ctx) -> dict:
    """A13, per installation and calendar month: accounts with no DB request in the month (registered
    accounts, newcomers included), users in the month's statistics, and round(100 × not using / total)."""
    lab = qb.labels(ctx.installations)
    counts = qb.zero_query_months(ctx.installation_ids, ctx.tr.start, ctx.tr.end, ctx.values("domain"), ctx.tz)
    labels = [str(_("not using: %(name)s")), str(_("%% not using: %(name)s")), str(_("total users: %(name)s"))]
    peaks = defaultdict(int)
    for (inst, _month), (_n_total, not_using) in counts.items():
        peaks[inst] = max(peaks[inst], not_using)
    shown, notice = top_keys(dict(sorted(peaks.items())), MAX_SERIES // len(labels))
    shown = set(shown)
    named = defaultdict(list)
    for (inst, month), (n_total, not_using) in sorted(counts.items(), key=lambda kv: kv[0][1]):
        if inst not in shown:
            continue
        begin, stop = qb.local_midnight(month, ctx.tz), _month_end(month, ctx.tz)
        a, b = max(begin, ctx.tr.start), min(stop, ctx.tr.end)  # the month's figure, across the month
        if a >= b:
            continue
        name = qb.series_name(lab.get(inst))
        for label, value in zip(labels, (not_using, round(100 * not_using / n_total), n_total)):
            points = named[label % {"name": name}]
            if points:
                points.append((a, None))
            points += [(a, value), (b, value)]
    return chart(series(named, ctx.tz, fill="tozeroy"), notice=notice, legend=["last"])


def inactive_users(ctx) -> dict:
    """A15: accounts with no DB request in the trailing 60 days, each a flat line at 0 while it holds. Every
    line is at 0, so the first 200 accounts (in the order inactive_spans gives them) are drawn: the spans are
    clipped in epoch microseconds and only the drawn ones turned into times."""
    lab = qb.labels(ctx.installations)
    start, end = ctx.tr.start, ctx.tr.end
    s, e = qb.to_epoch_us(start), qb.to_epoch_us(end)
    clipped = {}
    spans = qb.inactive_spans_us(ctx.installation_ids, ctx.values("domain"), start)
    with qb.no_cycle_collection():
        for (inst, login), items in spans.items():
            kept = [(begin, stop) for begin, stop in items if max(begin, s) < (e if stop is None else min(stop, e))]
            if kept:
                clipped[qb.series_name(lab.get(inst), login)] = kept
    names, notice = top_keys(dict.fromkeys(clipped, 0), 200)  # as top(named, 200) with every value 0
    named = {}
    for name in names:
        points = []
        for begin, stop in clipped[name]:  # as max(begin, start), min(stop or end, end) on times
            a = qb.from_epoch_us(begin) if begin >= s else start
            b = qb.from_epoch_us(stop) if stop is not None and stop <= e else end
            if points:
                points.append((a, None))
            points += [(a, 0), (b, 0)]
        named[name] = points
    return chart(series(named, ctx.tz), notice=notice, legend=["last"])


def inactive_counts(ctx) -> dict:
    """Kodeks analytics §3.5: per installation, the number of accounts not using the system for 60 days."""
    lab = qb.labels(ctx.installations)
    counts = qb.inactive_counts(ctx.installation_ids, ctx.values("domain"), ctx.tr.start, ctx.tr.end)
    named = {qb.series_name(lab.get(inst)): points for inst, points in counts.items()}
    kept, notice = top(named, MAX_SERIES)  # the installations with the most idle accounts
    return chart(series(kept, ctx.tz, shape="hv", fill="tozeroy"), notice=notice, legend=["min", "max", "last"])


def filled_cards(ctx) -> dict:
    """A16: per installation, 100 × users who logged in and have a filled card / users who logged in, as it
    changes with each first login (a user's first session within retention, else the last login known);
    cards as the newest report gives them."""
    lab = qb.labels(ctx.installations)
    ids, domains = ctx.installation_ids, ctx.values("domain")
    users = KnownUser.objects.filter(installation__in=ids)
    if domains:
        users = users.filter(domain__in=domains)
    # each account's first session: one probe of the (installation, login, started_at) unique index per account,
    # not a grouping of every session
    first = (SessionEvent.objects.filter(installation=OuterRef("installation"), login=OuterRef("login"))
             .order_by("started_at").values("started_at")[:1])
    moment = qb.EpochMicroseconds(Coalesce(Subquery(first), "last_login_at"))  # read as an integer: 20,000 of them
    rows = users.annotate(moment=moment).values_list("installation_id", "moment", *qb.CARD_FIELDS)
    events = defaultdict(list)  # inst -> [(login moment, filled)]
    with qb.no_cycle_collection():
        for inst, t, *card in qb.fetch_raw(rows):
            if t is not None:
                events[inst].append((t, qb.cells_filled(card)))
    start, end = ctx.tr.start, ctx.tr.end
    s, e = qb.to_epoch_us(start), qb.to_epoch_us(end)
    named = {}
    for inst, items in events.items():
        items.sort(key=lambda item: item[0])
        logged = filled = 0
        points = []
        for moment, is_filled in items:
            if moment >= e:
                break
            logged, filled = logged + 1, filled + int(is_filled)
            t = max(moment, s)
            value = 100.0 * filled / logged
            if points and points[-1][0] == t:
                points[-1] = (t, value)
            else:
                points.append((t, value))
        if points:  # the times: max(moment, start) as the times compare
            points = [(qb.from_epoch_us(t) if t > s else start, v) for t, v in points]
            points.append((end, points[-1][1]))
            named[qb.series_name(lab.get(inst))] = points
    return named


def month_rows_by_installation(ctx, month_of_end: dict) -> dict[int, dict]:
    """Per installation, activity and involvement of its month (`month_of_end`) summed over the chosen
    domains' users only (the domain filter of A1)."""
    rows = (UserMonthCounters.objects.filter(installation__in=list(month_of_end))
            .filter(qb.in_domains(ctx.values("domain"))).values_list("installation_id", "month", *qb.ACTIVITY))
    out = defaultdict(lambda: {"activity": 0.0, "active": 0})
    for inst, month, *values in rows:
        if month_of_end.get(inst) != month:
            continue
        out[inst]["activity"] += sum(v or 0 for v in values)
        out[inst]["active"] += 1 if values[0] else 0  # ACTIVITY[0] is db_requests
    return dict(out)
