"""Dashboard "Statistics by Active Directory" (C §2, "Статистика в разрезе MS Active Directory"): usage per AD
group (department) of a client, to find departments that were never trained or were left out of the rollout.

Per-user counters are kept per calendar month (the newest report's month-to-date values), so each group's
month total is drawn from the group's last change in the month to the month's end: exact where drawn."""
from collections import defaultdict
from datetime import timedelta

from django.db.models import Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from smart.metrics.models import KnownUser, UserMonthCounters

from .. import queries_bizinst as qb
from .base import Dashboard, Panel, register
from ._series import chart, series, top


def _month_end(month, tz):
    return qb.local_midnight((month.replace(day=28) + timedelta(days=4)).replace(day=1), tz)


def by_domain(fields: tuple[str, ...]):
    def query(ctx) -> dict:
        domain = Subquery(KnownUser.objects.filter(installation=OuterRef("installation"), login=OuterRef("login"))
                          .values("domain")[:1])
        first = qb.month_floor(ctx.tr.start.astimezone(ctx.tz).date())
        last = (ctx.tr.end - timedelta(microseconds=1)).astimezone(ctx.tz).date()
        qs = (UserMonthCounters.objects.filter(installation__in=ctx.installation_ids, month__gte=first, month__lte=last)
              .annotate(d=Coalesce(domain, Value(""))))
        if chosen := ctx.values("domain"):
            qs = qs.filter(d__in=chosen)
        rows = (qs.values("d", "month").annotate(t=Max("report_time"), **{f: Sum(f) for f in fields})
                .order_by("d", "month"))
        named = defaultdict(list)
        for r in rows:
            value = sum(r[f] or 0 for f in fields)
            a, b = max(r["t"], ctx.tr.start), min(_month_end(r["month"], ctx.tz), ctx.tr.end)
            if a >= b:
                continue
            points = named[r["d"] or qb.UNDETERMINED]
            if points:
                points.append((a, None))
            points += [(a, value), (b, value)]
        kept, notice = top(dict(named))
        return chart(series(kept, ctx.tz, shape="hv"), notice=notice, legend=["last"])
    return query


def how_to(ctx) -> dict:
    return {"html": "<h3>{}</h3><ol><li>{}</li><li>{}</li></ol><p>{}</p>".format(
        _("Usage statistics by MS Active Directory"),
        _("Choose exactly one client in the Client filter."),
        _("Choose the user groups of interest in Domain."),
        _("The panels show which of the client's departments use the system most, how their activity changes, and "
          "which departments need training. Groups exist only for installations on the client's own servers; "
          "users with no group are counted under «НеОпределён»."))}


PER_MONTH = _("Month-to-date, per AD group; each month's total is drawn from the group's last change to the month's "
              "end.")

register(Dashboard(
    slug="ad-stats", title=_("Statistics by Active Directory"), business=True, default_from="now-90d",
    variables=("client", "manager", "domain"), group=_("Business analytics"),
    description=_("Usage per AD group of a client's users."),
    panels=[
        Panel("licensed-docs", _("Requested documents covered by the licence"), "timeseries",
              by_domain(("documents_opened",)), monthly=True, description=PER_MONTH),
        Panel("free-docs", _("Requested free documents"), "timeseries", by_domain(("documents_free",)),
              monthly=True, description=PER_MONTH),
        Panel("printed", _("Printed documents"), "timeseries", by_domain(("prints",)), monthly=True,
              description=PER_MONTH),
        Panel("saved", _("Saved documents"), "timeseries", by_domain(("saves",)), monthly=True,
              description=PER_MONTH),
        Panel("activity", _("User activity in the current month by domain"), "timeseries", by_domain(qb.ACTIVITY),
              monthly=True, description=PER_MONTH),
        Panel("how-to", _("How to use"), "text", how_to),
    ],
))
