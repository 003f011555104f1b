"""Dashboard "For managers" (B §A, "Для менеджеров"): all 16 panels, one screen across every installation
of the manager's clients. Most panels are month-to-date: the default range is the current month."""
from collections import defaultdict
from datetime import date

from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Max, Value
from django.db.models.functions import Least
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from smart.metrics import queries as q
from smart.metrics.models import InstallationState, OperupEvent, SearchEvent

from .. import queries_bizinst as qb
from . import _users as users
from ._series import (
    ACTIVITY_BANDS, CARD_BANDS, GREEN, INVOLVEMENT_BANDS, MAX_SERIES, OPERUP_OLD_S, RED, chart, domain_notice, level,
    series, top, top_keys,
)
from .base import Dashboard, Panel, register

SEARCH_TYPES = {"intelligent": _("Intelligent search"), "attribute": _("Attribute search")}


def _month_of(t, zone: str) -> date:
    from zoneinfo import ZoneInfo

    local = t.astimezone(ZoneInfo(zone))
    return date(local.year, local.month, 1)


def client_parameters(ctx) -> dict:
    """A1: one row per installation: licence end, involvement and activity of the month the range ends in
    (the installation's calendar), seats, reg number, manager, address. Soonest licence end first."""
    ids = ctx.installation_ids
    lab = qb.labels(ctx.installations)
    zones = dict(ctx.installations.values_list("pk", "time_zone"))
    end = min(ctx.tr.end, ctx.now)
    snaps = qb.snapshot_as_of(ids, ctx.tr.end)
    month_of_end = {i: _month_of(end, z) for i, z in zones.items()}
    by_domain = users.month_rows_by_installation(ctx, month_of_end) if ctx.values("domain") else None
    states = {r["installation_id"]: r for r in InstallationState.objects.filter(installation__in=ids).values(
        "installation_id", "licence_expiry", "regfile_expiry", "regnum", "seats_total")}
    today = end.astimezone(ctx.tz).date()
    rows = []
    for inst in ids:
        label, state, snap = lab[inst], states.get(inst, {}), snaps.get(inst)
        current = snap if snap and snap["month"] == month_of_end[inst] else None
        involvement = activity = None
        if by_domain is not None:
            seats = (current or {}).get("seats_total") or state.get("seats_total")
            got = by_domain.get(inst)
            if got is not None:
                activity = got["activity"]
                involvement = 100.0 * got["active"] / seats if seats else None
        elif current is not None:
            involvement, activity = qb.involvement_of(current), qb.activity_of(current)
        expiries = [d for d in (state.get("licence_expiry"), state.get("regfile_expiry")) if d]
        days_left = (min(expiries) - today).days if expiries else None
        rows.append({
            "client": label.legal_name, "end_weeks": None if days_left is None else round(days_left / 7, 1),
            "involvement": None if involvement is None else round(involvement, 1),
            "activity": activity, "seats": state.get("seats_total"), "regnum": state.get("regnum") or "",
            "manager": label.manager, "address": label.address,
            "_cell_class": {
                "end_weeks": "bad" if days_left is None or days_left <= 7 else "warn" if days_left <= 90 else "ok",
                "involvement": level(involvement, INVOLVEMENT_BANDS),
                "activity": level(activity, ACTIVITY_BANDS, ("bad", "ok")),
            },
        })
    rows.sort(key=lambda r: (r["end_weeks"] is None, r["end_weeks"] if r["end_weeks"] is not None else 0))
    return {"columns": [
        {"key": "client", "title": str(_("Client")), "type": "text"},
        {"key": "end_weeks", "title": str(_("Licence end, weeks")), "type": "number"},
        {"key": "involvement", "title": str(_("Involvement, %")), "type": "number"},
        {"key": "activity", "title": str(_("Activity")), "type": "number"},
        {"key": "seats", "title": str(_("Seats")), "type": "number"},
        {"key": "regnum", "title": str(_("Reg number")), "type": "text"},
        {"key": "manager", "title": str(_("Manager")), "type": "text"},
        {"key": "address", "title": str(_("Address")), "type": "text"},
    ], "rows": rows, "page_size": 9}


def empty_searches(ctx) -> dict:
    """A2: every search in the range that found nothing, newest first."""
    lab = qb.labels(ctx.installations)
    qs = SearchEvent.objects.filter(installation__in=ctx.installation_ids, at__gte=ctx.tr.start,
                                    at__lt=ctx.tr.end, results=0)
    if d := ctx.values("domain"):
        qs = qs.filter(qb.in_domains(d))
    limit = 5000
    found = list(qs.order_by("-at").values_list("at", "installation_id", "login", "text", "search_type")[:limit + 1])
    rows = [{"time": at, "host": lab[i].name, "manager": lab[i].manager, "login": login, "query": text,
             "searchtype": str(SEARCH_TYPES.get(kind, kind))} for at, i, login, text, kind in found[:limit]]
    data = {"columns": [
        {"key": "time", "title": str(_("Time")), "type": "datetime"},
        {"key": "host", "title": str(_("Host")), "type": "text"},
        {"key": "manager", "title": str(_("Manager")), "type": "text"},
        {"key": "login", "title": str(_("User")), "type": "text"},
        {"key": "query", "title": str(_("Query")), "type": "text"},
        {"key": "searchtype", "title": str(_("Search type")), "type": "text"},
    ], "rows": rows}
    if len(found) > limit:
        data["notice"] = str(_("The newest %(n)d rows are shown; narrow the range for the rest.") % {"n": limit})
    return data


def operup_age(ctx) -> dict:
    """A3: age of each OperUp file (now − its modification time) at every report that listed it: a sawtooth
    per (installation, file). Between two reports of one file version the age grows linearly, so the two
    ends of each version's span draw it exactly. The series to draw are ranked by their peak age in the
    database (the age at the end of a version's span, clipped to the range), then only those are fetched."""
    lab = qb.labels(ctx.installations)
    start, end = ctx.tr.start, ctx.tr.end
    base = OperupEvent.objects.filter(installation__in=ctx.installation_ids, last_seen__gte=start, first_seen__lt=end)
    age = ExpressionWrapper(Least("last_seen", Value(end, output_field=DateTimeField())) - F("modified_at"),
                            output_field=DurationField())
    peaks = {(inst, path): peak for inst, path, peak in base.values("installation_id", "path").annotate(peak=Max(age))
             .order_by("installation_id", "path").values_list("installation_id", "path", "peak")}
    keys, notice = top_keys(peaks)
    kept = set(keys)
    rows = (base.filter(installation__in={inst for inst, _path in kept})
            .order_by("installation_id", "path", "first_seen")
            .values_list("installation_id", "path", "modified_at", "first_seen", "last_seen"))
    named = defaultdict(list)
    for inst, path, modified, first, last in rows.iterator(chunk_size=10000):
        if (inst, path) not in kept:
            continue
        a, b = max(first, start), min(last, end)
        points = named[qb.series_name(lab.get(inst), path)]
        points.append((a, (a - modified).total_seconds()))
        if b > a:
            points.append((b, (b - modified).total_seconds()))
    bands = [{"from": 0, "to": OPERUP_OLD_S, "color": GREEN}, {"from": OPERUP_OLD_S, "to": 10 ** 8, "color": RED}]
    return chart(series(dict(named), ctx.tz), unit="s", notice=notice, bands=bands, legend=["last"])


def _mtd_by_domain(ctx, fields) -> dict:
    """Per installation, the chosen domains' users' month sums, one point per month (at the month's
    last change): per-user counters are kept per month."""
    per = defaultdict(dict)  # inst -> month -> [t, value]
    for inst, _login, month, t, *values in qb.user_months(ctx.installation_ids, ctx.tr.start, ctx.tr.end,
                                                          ctx.values("domain"), fields, ctx.tz):
        cell = per[inst].setdefault(month, [t, 0.0])
        cell[0], cell[1] = max(cell[0], t), cell[1] + sum(v or 0 for v in values)
    return {inst: [(max(t, ctx.tr.start), v) for _m, (t, v) in sorted(months.items())] for inst, months in per.items()}


def ranked_ids(ctx, value, **filters) -> tuple[list[int], str | None]:
    """The installations whose month-to-date series to fetch: all of them up to MAX_SERIES, else those with the
    largest month-end peaks (ranked in the database, qb.month_end_peaks), and the notice naming the rest."""
    ids = ctx.installation_ids
    if len(ids) <= MAX_SERIES:
        return ids, None
    return top_keys(qb.month_end_peaks(ids, ctx.tr.start, ctx.tr.end, value, **filters), MAX_SERIES)


def month_to_date_chart(ctx, counters, **extra) -> dict:
    lab = qb.labels(ctx.installations)
    if ctx.values("domain"):
        values = _mtd_by_domain(ctx, counters)
        extra.setdefault("notice", str(_("With a domain chosen, values are the chosen users' month totals, one point "
                                         "per month.")))
        style = {"mode": "lines+markers"}
    else:
        ids, ranked = ranked_ids(ctx, qb.totals_value(counters))
        values = qb.month_to_date(ids, ctx.tr.start, ctx.tr.end, counters, ctx.tz)
        style = {}
        if ranked:
            extra["notice"] = ranked
    named = {qb.series_name(lab.get(i)): points for i, points in values.items() if points}
    kept, notice = top(named)
    if notice:
        extra["notice"] = notice
    return chart(series(kept, ctx.tz, fill="tozeroy", **style), **extra)


def activity(ctx) -> dict:
    """A4: month-to-date activity per installation (log₂ axis, red below 20)."""
    log_bands = [{**ACTIVITY_BANDS[0], "from": 1}, ACTIVITY_BANDS[1]]  # a log axis has no 0
    return month_to_date_chart(ctx, qb.ACTIVITY, bands=log_bands, log=True,
                               legend=["last"])


def involvement(ctx) -> dict:
    """A5: month-to-date involvement % per installation."""
    lab = qb.labels(ctx.installations)
    ranked = None
    if ctx.values("domain"):
        seats = dict(InstallationState.objects.filter(installation__in=ctx.installation_ids)
                     .values_list("installation_id", "seats_total"))
        per = defaultdict(dict)
        for inst, _login, month, t, db in qb.user_months(ctx.installation_ids, ctx.tr.start, ctx.tr.end,
                                                         ctx.values("domain"), ("db_requests",), ctx.tz):
            cell = per[inst].setdefault(month, [t, 0])
            cell[0], cell[1] = max(cell[0], t), cell[1] + (1 if db else 0)
        values = {i: [(max(t, ctx.tr.start), 100.0 * n / seats[i]) for _m, (t, n) in sorted(months.items())]
                  for i, months in per.items() if seats.get(i)}
    else:
        ids, ranked = ranked_ids(ctx, qb.involvement_value(), users_active_month__isnull=False, seats_total__gt=0)
        values = qb.involvement_series(ids, ctx.tr.start, ctx.tr.end, ctx.tz)
    named = {qb.series_name(lab.get(i)): points for i, points in values.items() if points}
    kept, notice = top(named)
    notice = notice or ranked
    return chart(series(kept, ctx.tz), unit="%", notice=notice, bands=INVOLVEMENT_BANDS, legend=["max", "last"])


def rollup_chart(ctx, field: str, agg: str = "sum", **extra) -> dict:
    """An installation-level rollup series (hourly up to ~41 days, daily beyond, as the chart can show)."""
    lab = qb.labels(ctx.installations)
    rng = ctx.range
    ids, notice = ctx.installation_ids, None
    if len(ids) > MAX_SERIES and q.auto_step(rng) in ("hour", "day"):  # rank in the database, fetch the kept
        ids, notice = top_keys(q.peaks_by_installation(ids, rng, field), MAX_SERIES)
    values = q.series_by_installation(ids, rng, field, "auto", agg=agg, tz=ctx.tz)
    named = {qb.series_name(lab.get(i)): points for i, points in values.items()}
    kept, notice_all = top(named)
    notice = notice or notice_all
    notices = [n for n in (notice, domain_notice(ctx)) if n]
    if q.auto_step(rng) != "hour":
        notices.append(str(_("The range is long: one value per day.")))
    return chart(series(kept, ctx.tz, **extra.pop("style", {})), notice=" ".join(notices) or None, **extra)


def max_seats(ctx) -> dict:
    """A6: the maximum number of occupied seats per hour (per day on long ranges)."""
    return rollup_chart(ctx, "seats_used_max", agg="max", style={"fill": "tozeroy"}, legend=["min", "max", "last"])


def db_requests_per_hour(ctx) -> dict:
    """A8: DB requests per hour per installation (not reset monthly)."""
    return rollup_chart(ctx, "db_requests", legend=["max"])


def saved_per_hour(ctx) -> dict:
    """A10: documents saved per hour per installation."""
    return rollup_chart(ctx, "saves", legend=["max"])


def filled_cards(ctx) -> dict:
    kept, notice = top(users.filled_cards(ctx))
    return chart(series(kept, ctx.tz, shape="hv"), unit="%", notice=notice, bands=CARD_BANDS,
                 legend=["min", "last"])


PER_USER = _("Per-user counters are kept per month: each user's month-to-date value is drawn from their last "
             "change in the month to the month's end.")

register(Dashboard(
    slug="managers", title=_("For managers"), business=True, default_from="now/M",
    variables=("client", "manager", "domain"), group=_("Business analytics"),
    description=_("One screen across every installation: demand, involvement, empty searches, seats, OperUp, "
                  "user cards. Use a calendar month: most panels are month-to-date."),
    panels=[
        Panel("client-params", _("Client parameters"), "table", client_parameters, width=12, height=380,
              monthly=True, description=_("Licence end in weeks, involvement and activity of the month, seats in the "
                                          "reg-file. Involvement: red below 60 %, yellow to 80 %, green to 150 %, "
                                          "red above.")),
        Panel("empty-searches", _("Detecting that nothing was found"), "table", empty_searches, width=12,
              description=_("Searches that found nothing: do the installed sets cover the users' needs? Details on "
                            "the Search queries dashboard.")),
        Panel("operup-age", _("How many hours ago the OperUp files were updated"), "timeseries", operup_age,
              width=12, unit="s", description=_("Age of each OperUp file at every report; red from 3 days.")),
        Panel("activity", _("User activity in the current month"), "timeseries", activity, monthly=True,
              description=_("Month-to-date sum of all user actions; resets on the 1st. Red below 20.")),
        Panel("involvement", _("Percentage of real involvement in the current month"), "timeseries", involvement,
              unit="%", monthly=True,
              description=_("100 × users with at least one DB request since the 1st / seats in the reg-file.")),
        Panel("max-seats", _("Maximum number of occupied licences on the installation"), "timeseries", max_seats),
        Panel("billing-docs", _("billingDocs"), "timeseries",
              lambda ctx: users.user_month_series(ctx, ("documents_opened", "services")), monthly=True,
              description=format_lazy("{} {}", _("Documents opened plus services used, per user, month-to-date."), PER_USER)),
        Panel("db-requests-hour", _("DB queries per hour"), "bars", db_requests_per_hour),
        Panel("prints", _("Print statistic"), "timeseries", lambda ctx: users.user_month_series(ctx, ("prints",)),
              monthly=True, description=format_lazy("{} {}", _("Documents printed, per user, month-to-date."), PER_USER)),
        Panel("saved-hour", _("Documents saved per hour"), "bars", saved_per_hour),
        Panel("refusals-day", _("Users and number of times they could not connect because all licences were in "
                                "use, per day"), "table", users.refusals_per_day),
        Panel("refused-users-hour", _("Number of users who could not connect within one hour"), "bars",
              users.refused_users_per_hour),
        Panel("zero-queries-30d", _("Zero DB queries in 30 days, statistics"), "timeseries",
              users.zero_queries_stats, width=12, height=380, monthly=True,
              description=_("Per calendar month: accounts that made no DB request, users in the month's statistics, "
                            "and the percentage (can exceed 100). Use a range of exactly one month.")),
        Panel("kassist-30d", _("Kassist work over the last 30 days"), "timeseries",
              lambda ctx: users.user_month_series(ctx, ("kassist_requests",)), monthly=True,
              description=format_lazy("{} {}", _("DB requests made through kAssist, per user, month-to-date (no data before May "
                            "2024)."), PER_USER)),
        Panel("zero-queries-60d", _("Zero DB queries in 60 days"), "timeseries", users.inactive_users,
              description=_("Accounts with no DB request in the trailing 60 days, while that holds.")),
        Panel("filled-cards", _("Percentage of filled cards among users who logged in"), "timeseries",
              filled_cards, unit="%",
              description=_("A card is filled when it has full name, phone, e-mail, position and department.")),
    ],
))
