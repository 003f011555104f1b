"""Dashboard "Kodeks analytics" (A §3, "Kodeks аналитика"): the main analytics view of support and sales
managers, and the original's default home dashboard. 11 panels, one series per installation, last 90 days."""
from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, F, Max
from django.db.models.functions import Trunc
from django.utils.translation import gettext_lazy as _

from smart.metrics.models import DailyRollup, HourlyRollup, SearchEvent

from .. import queries_bizinst as qb
from . import _users as users
from .base import Dashboard, Panel, register
from .managers import month_to_date_chart, rollup_chart
from ._series import MAX_SERIES, chart, domain_notice, series, top, top_keys

KASSIST_WINDOW = timedelta(days=30)  # A §3.4 decision: a rolling 30-day sum


def used_licences(ctx) -> dict:
    """§3.1: seats occupied at the reports (the hour's maximum; the day's on long ranges)."""
    return rollup_chart(ctx, "seats_used_max", agg="max", legend=["min", "max", "last"], style={"fill": "tozeroy"})


def free_licences(ctx) -> dict:
    """§3.2: seats in the reg-file − occupied seats (the hour's or day's smallest margin). Past MAX_SERIES
    installations, the largest margins are ranked in the database and only the kept series fetched."""
    lab = qb.labels(ctx.installations)
    start, end = ctx.tr.start, ctx.tr.end
    if end - start <= timedelta(days=41):
        rows = HourlyRollup.objects.filter(hour__gte=start, hour__lt=end)
        cols = ("installation_id", "hour", "seats_total", "seats_used_max")
    else:
        rows = DailyRollup.objects.filter(day__gte=start.date(), day__lte=end.date())
        cols = ("installation_id", "day", "seats_total", "seats_used_max")
    rows = rows.filter(seats_total__isnull=False, seats_used_max__isnull=False)
    ids, notice = ctx.installation_ids, None
    if len(ids) > MAX_SERIES:
        peaks = dict(rows.filter(installation__in=ids).values("installation_id")
                     .annotate(p=Max(F("seats_total") - F("seats_used_max"))).order_by("installation_id")
                     .values_list("installation_id", "p"))
        ids, notice = top_keys(peaks, MAX_SERIES)
    named = defaultdict(list)
    for inst, t, total, used in rows.filter(installation__in=ids).order_by(*cols[:2]).values_list(*cols):
        named[qb.series_name(lab.get(inst))].append((t, total - used))
    kept, notice_all = top(dict(named))
    notices = " ".join(n for n in (notice or notice_all, domain_notice(ctx)) if n) or None
    return chart(series(kept, ctx.tz, fill="tozeroy"), notice=notices, legend=["min", "max", "last"])


def failed_searches(ctx) -> dict:
    """§3.3: empty searches per day (bucket one day in the user's zone), summed over the installation's users;
    with a domain chosen, only its users' searches."""
    lab = qb.labels(ctx.installations)
    start, end = ctx.tr.start, ctx.tr.end
    if domains := ctx.values("domain"):
        rows = (SearchEvent.objects.filter(installation__in=ctx.installation_ids, at__gte=start, at__lt=end, results=0)
                .filter(qb.in_domains(domains)).annotate(d=Trunc("at", "day", tzinfo=ctx.tz))
                .values("installation_id", "d").annotate(n=Count("id")).order_by("installation_id", "d")
                .values_list("installation_id", "d", "n"))
    else:
        rows = (DailyRollup.objects.filter(installation__in=ctx.installation_ids, day__gte=start.astimezone(ctx.tz).date(),
                                           day__lte=end.astimezone(ctx.tz).date(), empty_searches__gt=0)
                .order_by("installation_id", "day").values_list("installation_id", "day", "empty_searches"))
    named = defaultdict(list)
    for inst, t, n in rows:
        named[qb.series_name(lab.get(inst))].append((t, n))
    kept, notice = top(dict(named))
    return chart(series(kept, ctx.tz, shape="hv", fill="tozeroy"), notice=notice, legend=["mean", "last", "max"])


def _window_peak(by_day: dict, start_day, end_day):
    """The largest trailing-30-day sum on the days of [start_day, end_day], from {day: requests} in day order:
    the sum grows only when a day enters the window, so it peaks at the range start or on a day with requests."""
    days = list(by_day)
    best = window = lo = hi = 0
    for d in [start_day, *(x for x in days if start_day < x <= end_day)]:
        while hi < len(days) and days[hi] <= d:
            window += by_day[days[hi]]
            hi += 1
        while lo < hi and days[lo] <= d - KASSIST_WINDOW:
            window -= by_day[days[lo]]
            lo += 1
        best = max(best, window)
    return best


def _rolling(by_day: dict, first, start_day, end_day) -> list:
    points, window, day = [], 0, first
    while day <= end_day:  # a running 30-day sum: add the day, drop the one leaving the window
        window += by_day.get(day, 0) - by_day.get(day - KASSIST_WINDOW, 0)
        if day >= start_day:
            points.append((day, window or None))
        day += timedelta(days=1)
    return points


def kassist_rolling(ctx) -> dict:
    """§3.4: DB requests through kAssist over the trailing 30 days, per installation and day; installations
    with no kAssist use have no series (the value "cannot be zero"). Only days with requests are read."""
    lab = qb.labels(ctx.installations)
    first = (ctx.tr.start - KASSIST_WINDOW).astimezone(ctx.tz).date()
    start_day, end_day = ctx.tr.start.astimezone(ctx.tz).date(), ctx.tr.end.astimezone(ctx.tz).date()
    rows = (DailyRollup.objects.filter(installation__in=ctx.installation_ids, day__gte=first, day__lte=end_day)
            .exclude(kassist_requests=0).order_by("installation_id", "day")
            .values_list("installation_id", "day", "kassist_requests"))
    per = defaultdict(dict)
    for inst, day, n in rows:
        per[inst][day] = n
    chosen = {}  # series name → (installation, peak); a later installation of the same name replaces it
    for inst, by_day in per.items():
        if (peak := _window_peak(by_day, start_day, end_day)) > 0:
            chosen[qb.series_name(lab.get(inst))] = (inst, peak)
    names, notice = top_keys({name: peak for name, (_i, peak) in chosen.items()}, MAX_SERIES)
    named = {name: _rolling(per[chosen[name][0]], first, start_day, end_day) for name in names}
    notices = " ".join(n for n in (notice, domain_notice(ctx)) if n) or None
    return chart(series(named, ctx.tz), notice=notices, legend=["last"])


def licences(ctx) -> dict:
    """§3.11: workplaces licensed in the reg-file."""
    return rollup_chart(ctx, "seats_total", agg="max", legend=["max", "last"], style={"shape": "hv", "fill": "tozeroy"})


def _mtd(counters):
    return lambda ctx: month_to_date_chart(ctx, counters, legend=["max", "last"])


DOC_OR_SERVICE = ("searches", "documents_opened", "documents_free", "services")

register(Dashboard(
    slug="kodeks-analytics", title=_("Kodeks analytics"), business=True, default_from="now-90d",
    variables=("host", "manager", "domain"), group=_("Business analytics"),
    description=_("Active and trial installations here and now: licences, searches, kAssist, usage counters."),
    panels=[
        Panel("used-licences", _("Used licences"), "timeseries", used_licences,
              description=_("Licences occupied at the report: max and current near the reg-file count call for more "
                            "seats; a min of 0 calls for retraining.")),
        Panel("free-licences", _("Difference between used licences and reg"), "timeseries", free_licences,
              description=_("Seats in the reg-file minus occupied seats: a min near 0 means the pool nearly ran out.")),
        Panel("failed-searches", _("Failed searches per day"), "bars", failed_searches,
              description=_("Searches that found nothing, per day, summed over the installation's users.")),
        Panel("kassist-month", _("Average number of kassist requests per month"), "timeseries", kassist_rolling,
              description=_("DB requests through kAssist over the trailing 30 days (no data before May 2024).")),
        Panel("not-using-60d", _("Not using the system for 60 days"), "timeseries", users.inactive_counts,
              description=_("Accounts whose last DB request is 60 days old or older.")),
        Panel("db-requests", _("DB requests"), "timeseries", _mtd(("db_requests",)), monthly=True,
              description=_("Month-to-date DB requests, summed over the installation's accounts.")),
        Panel("counted-documents", _("Counted documents"), "timeseries", _mtd(("documents_opened",)), monthly=True,
              description=_("Month-to-date opened (counted) documents.")),
        Panel("saved-documents", _("Saving documents"), "timeseries", _mtd(("saves",)), monthly=True,
              description=_("Month-to-date documents saved to a file, opened in another application or e-mailed.")),
        Panel("doc-or-service", _("Doc or Service"), "timeseries", _mtd(DOC_OR_SERVICE), monthly=True,
              description=_("Month-to-date searches, opened documents and services used.")),
        Panel("printed-documents", _("Printing documents"), "timeseries", _mtd(("prints",)), monthly=True,
              description=_("Month-to-date documents sent to print.")),
        Panel("licences", _("Number of licences on the installation"), "timeseries", licences,
              description=_("Workplaces licensed in the reg-file: a downward trend is an early warning.")),
    ],
))
