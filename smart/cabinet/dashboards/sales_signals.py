"""Dashboard "Sales signals" (issue 7 §3, D §4 R-C12, R-C13): leads for the manager, read set-based.

- repeated quota exhaustion (R-C12): online accesses whose document quota reached 0 before the 25th in at
  least 2 of the last 3 complete calendar months (the burn-rate forecast is on the billing-stats dashboard);
- idle online accesses (R-C13 as SMART can see it): an access with a document limit whose readings over the
  last 7 days show no document used (the remaining count never fell). SMART reads the billing counters, not
  the login log, so "no use" stands in for "no successful login";
- activity swings: clients whose user activity (all actions, the prolongation dashboard's row) in the last
  complete month differs from the month before by more than 30 % either way.
Months are the user's calendar months."""
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Count, Max, Min
from django.utils.translation import gettext as _, gettext_lazy as __

from smart.probes.models import OnlineCounters

from .. import queries_bizonline as q
from .base import Dashboard, Panel, register

EXHAUSTED_BEFORE_DAY = 25
EXHAUSTED_MONTHS = 2
LOOKBACK_MONTHS = 3
IDLE_DAYS = 7
SWING_PCT = 30.0


def last_complete_months(ctx, n: int) -> list:
    today = ctx.now.astimezone(ctx.tz).date()
    this = today.replace(day=1)
    return [q.month_add(this, -k) for k in range(n, 0, -1)]


def repeated_exhaustion(ctx):
    accesses = {a.pk: a for a in ctx.online_accesses.select_related("client")}
    hits = defaultdict(list)
    for month in last_complete_months(ctx, LOOKBACK_MONTHS):
        start = datetime(month.year, month.month, 1, tzinfo=ctx.tz)
        cutoff = start.replace(day=EXHAUSTED_BEFORE_DAY)
        for pk in (OnlineCounters.objects.filter(online_access_id__in=list(accesses), at__gte=start, at__lt=cutoff,
                                                 documents_left__lte=0)
                   .values_list("online_access_id", flat=True).distinct()):
            hits[pk].append(month)
    rows = [{"client": accesses[pk].client.display_name, "access": accesses[pk].login,
             "months": len(months), "which": ", ".join(f"{m:%m.%Y}" for m in months)}
            for pk, months in hits.items() if len(months) >= EXHAUSTED_MONTHS]
    rows.sort(key=lambda r: (-r["months"], r["client"], r["access"]))
    return {"columns": [{"key": "client", "title": _("Client"), "type": "text"},
                        {"key": "access", "title": _("Online access"), "type": "text"},
                        {"key": "months", "title": _("Months exhausted"), "type": "number"},
                        {"key": "which", "title": _("Months"), "type": "text"}],
            "rows": rows, **({} if rows else {"notice": _("No online access ran out of documents repeatedly.")})}


def idle_accesses(ctx):
    since = ctx.now - timedelta(days=IDLE_DAYS)
    accesses = {a.pk: a for a in ctx.online_accesses.select_related("client")}
    stats = (OnlineCounters.objects.filter(online_access_id__in=list(accesses), at__gte=since, at__lte=ctx.now,
                                           documents_limit__gt=0, documents_left__isnull=False)
             .values("online_access_id")
             .annotate(n=Count("id"), first=Min("at"), hi=Max("documents_left"), lo=Min("documents_left")))
    rows = []
    for s in stats:
        # idle: the counter never moved, over readings that cover (nearly) the whole 7 days
        if s["hi"] == s["lo"] and s["n"] >= 2 and s["first"] <= since + timedelta(days=1):
            a = accesses[s["online_access_id"]]
            rows.append({"client": a.client.display_name, "access": a.login, "left": s["lo"],
                         "seasonal": _("yes") if a.client.seasonal else ""})
    rows.sort(key=lambda r: (r["client"], r["access"]))
    return {"columns": [{"key": "client", "title": _("Client"), "type": "text"},
                        {"key": "access", "title": _("Online access"), "type": "text"},
                        {"key": "left", "title": _("Documents left"), "type": "number"},
                        {"key": "seasonal", "title": _("Seasonal"), "type": "text"}],
            "rows": rows, **({} if rows else {"notice": _("Every online access was used in the last 7 days.")})}


def activity_swings(ctx):
    previous, current = last_complete_months(ctx, 2)
    inst_client = dict(ctx.installations.values_list("pk", "client_id"))
    totals = q.monthly_totals(list(inst_client), previous, q.month_add(current, 1) - timedelta(days=1),
                              by_installation=True)
    by_client = defaultdict(dict)
    for (inst, month), values in totals.items():
        c = by_client[inst_client[inst]]
        c[month] = c.get(month, 0) + q.derived(values)["activity"]
    names = dict(ctx.clients.filter(pk__in=list(by_client)).values_list("pk", "display_name"))
    rows = []
    for client_id, months in by_client.items():
        prev, cur = months.get(previous), months.get(current)
        pct = q.change_pct(cur, prev)
        if pct == q.INFINITY or (isinstance(pct, float) and abs(pct) > SWING_PCT):
            rows.append({"client": names.get(client_id, "?"), "previous": prev, "current": cur, "change": pct,
                         "_cell_class": {"change": "ok" if pct == q.INFINITY or pct > 0 else "bad"}})
    rows.sort(key=lambda r: (r["change"] != q.INFINITY, -abs(r["change"]) if r["change"] != q.INFINITY else 0,
                             r["client"]))
    return {"columns": [{"key": "client", "title": _("Client"), "type": "text"},
                        {"key": "previous", "title": f"{previous:%m.%Y}", "type": "number"},
                        {"key": "current", "title": f"{current:%m.%Y}", "type": "number"},
                        {"key": "change", "title": _("Change, %"), "type": "number"}],
            "rows": rows, **({} if rows else {"notice": _("No client's activity changed by more than 30 %.")})}


register(Dashboard(
    slug="sales-signals",
    title=__("Sales signals"),
    group=__("Business analytics"),
    business=True,
    variables=("client",),
    default_from="now-30d",
    description=__("Leads for the manager: repeated quota exhaustion, idle online accesses, activity swings."),
    panels=[
        Panel("exhaustion", __("Documents ran out before the 25th in 2 of the last 3 months"), "table",
              repeated_exhaustion, width=12, height=260,
              description=__("Online accesses that need a bigger quota (R-C12). The quota forecast for this month "
                             "is on the billing statistics dashboard.")),
        Panel("idle", __("Online accesses not used for 7 days"), "table", idle_accesses, width=6, height=260,
              description=__("The remaining document count did not fall over the last 7 days of readings (R-C13).")),
        Panel("swings", __("Activity changed by more than 30 % month over month"), "table", activity_swings,
              width=6, height=260, description=__("All user actions over the client's installations, the last "
                                                  "complete month against the one before.")),
    ],
))
