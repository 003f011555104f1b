"""Dashboard "kAssist. Analytics" (C §5, "kAssist. Аналитика"): how much, how often and how well each client
used the kAssist add-in, as the links it processed per day (sysinfo carries this from May 2024)."""
from collections import defaultdict

from django.db.models import F, Sum
from django.utils.translation import gettext_lazy as _

from smart.metrics.models import KassistDay

from .. import queries_bizinst as qb
from .base import Dashboard, Panel, register
from ._series import MAX_SERIES, chart, series, top_keys

FIELDS = ("unique_links", "unmatched_links", "all_links", "active_links")


def _days(ctx):
    return (KassistDay.objects.filter(installation__in=ctx.installation_ids,
                                      day__gte=ctx.tr.start.astimezone(ctx.tz).date(),
                                      day__lte=ctx.tr.end.astimezone(ctx.tz).date()))


def _client_peaks(ctx, field: str) -> dict[str, int]:
    """{client name: its largest daily sum of `field`} for the clients with any, by name: the per-day sums and
    their maximum both computed in the database (a client-day table of 1,000 clients × 90 days stays there)."""
    daily = (_days(ctx).annotate(name=F("installation__client__display_name")).values("name", "day")
             .annotate(v=Sum(field)))
    return {name: peak for name, peak in qb.max_per_key(daily, "name", "v").items() if peak and peak > 0}


def per_day(field: str):
    """One bar series per client: the field summed over the client's installations, per day; the clients with
    the largest day drawn (ranked in the database, then only their days read)."""
    def query(ctx) -> dict:
        kept, notice = top_keys(_client_peaks(ctx, field), MAX_SERIES)
        rows = (_days(ctx).filter(installation__client__display_name__in=kept)
                .values("installation__client__display_name", "day").annotate(v=Sum(field))
                .order_by("installation__client__display_name", "day"))
        named = defaultdict(list)
        for r in rows:
            if r["v"]:
                named[r["installation__client__display_name"]].append((r["day"], r["v"]))
        return chart(series(dict(named), ctx.tz), notice=notice, log=True, legend=["max", "last"])
    return query


def per_client(field: str):
    """A table: per client, the field summed over the range's days, largest first."""
    def query(ctx) -> dict:
        rows = (_days(ctx).values("installation__client__display_name").annotate(v=Sum(field))
                .order_by("-v", "installation__client__display_name"))
        return {"columns": [{"key": "client", "title": str(_("Client")), "type": "text"},
                            {"key": "sum", "title": str(_("Sum")), "type": "number"}],
                "rows": [{"client": r["installation__client__display_name"], "sum": r["v"]} for r in rows if r["v"]]}
    return query


register(Dashboard(
    slug="kassist", title=_("kAssist. Analytics"), business=True, default_from="now-90d",
    variables=("client", "manager"), group=_("Business analytics"),
    description=_("Links processed by kAssist per client: a source for reports to the client's decision-maker. "
                  "No data before May 2024."),
    panels=[
        Panel("unique-day", _("Number of unique links on adding, per day"), "bars", per_day("unique_links")),
        Panel("unmatched-day", _("Number of links with no match found, per day"), "bars", per_day("unmatched_links")),
        Panel("all-day", _("Number of all links added, per day"), "bars", per_day("all_links")),
        Panel("active-day", _("Number of checked active links, per day"), "bars", per_day("active_links")),
        Panel("unique-sum", _("Number of unique links on adding, over the interval"), "table",
              per_client("unique_links"), description=_("The daily counts summed over the range.")),
        Panel("active-sum", _("Number of checked active links, over the interval"), "table",
              per_client("active_links"), description=_("The daily counts summed over the range.")),
    ],
))
