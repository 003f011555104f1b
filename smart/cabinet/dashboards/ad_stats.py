"""Dashboard "Statistics by Active Directory" (C §2, "Статистика в разрезе MS Active Directory"): usage per AD
group (department) of a client, to find departments that were never trained or were left out of the rollout.

Per-user counters are kept per calendar month (the newest report's month-to-date values), so each group's
month total is drawn from the group's last change in the month to the month's end: exact where drawn."""
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone as dt_timezone

from django.db import connection
from django.utils.translation import gettext_lazy as _

from smart.metrics.models import KnownUser, UserMonthCounters

from .. import queries_bizinst as qb
from .base import Dashboard, Panel, register
from ._series import chart, series, top


def _month_end(month, tz):
    return qb.local_midnight((month.replace(day=28) + timedelta(days=4)).replace(day=1), tz)


def _group_months(ids: list[int], first, last, fields: tuple[str, ...], chosen: list[str]) -> list[tuple]:
    """[(AD group or "", month, newest report time, the fields' sum)] per group and month: the month counters
    joined to the users' cards on (installation, login) in one grouped query (a hash join, not a card lookup
    per counter row)."""
    if not ids:
        return []
    um, ku = UserMonthCounters._meta, KnownUser._meta
    q = connection.ops.quote_name
    col = {f: q(um.get_field(f).column) for f in fields}
    total = " + ".join(f"COALESCE(SUM(u.{c}), 0)" for c in col.values())
    group = f"COALESCE(k.{q('domain')}, '')"
    sql = (f"SELECT {group}, u.{q('month')}, MAX(u.{q('report_time')}), {total} "
           f"FROM {q(um.db_table)} u LEFT JOIN {q(ku.db_table)} k "
           f"ON k.{q('installation_id')} = u.{q('installation_id')} AND k.{q('login')} = u.{q('login')} "
           f"WHERE u.{q('installation_id')} IN ({', '.join(['%s'] * len(ids))}) "
           f"AND u.{q('month')} >= %s AND u.{q('month')} <= %s")
    params = [*ids, first, last]
    if chosen:
        sql += f" AND {group} IN ({', '.join(['%s'] * len(chosen))})"
        params += chosen
    sql += f" GROUP BY {group}, u.{q('month')} ORDER BY 1, 2"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(d, _as_date(m), _as_datetime(t), v) for d, m, t, v in cursor.fetchall()]


def _as_date(v) -> date:
    return date.fromisoformat(v) if isinstance(v, str) else v


def _as_datetime(v) -> datetime:
    """SQLite gives a raw query's datetimes as the UTC text Django stored."""
    return datetime.fromisoformat(v).replace(tzinfo=dt_timezone.utc) if isinstance(v, str) else v


def by_domain(fields: tuple[str, ...]):
    def query(ctx) -> dict:
        first = qb.month_floor(ctx.tr.start.astimezone(ctx.tz).date())
        last = (ctx.tr.end - timedelta(microseconds=1)).astimezone(ctx.tz).date()
        named = defaultdict(list)
        for d, month, t, value in _group_months(ctx.installation_ids, first, last, fields, ctx.values("domain")):
            a, b = max(t, ctx.tr.start), min(_month_end(month, ctx.tz), ctx.tr.end)
            if a >= b:
                continue
            points = named[d or qb.UNDETERMINED]
            if points:
                points.append((a, None))
            points += [(a, int(value)), (b, int(value))]
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
