"""Dashboard "Online Billing. Analytics" (C §1): how much of the document quota the online accesses use.

With Client = All the averages cover every access in scope and the per-manager graph carries the Support
Standard's single 15 % line; with clients chosen it becomes a per-client view with the engagement bands
15 / 75 / 90 % (C §1.1)."""
from django.utils.translation import gettext as _, gettext_lazy as __

from .. import queries_bizonline as q
from .base import Dashboard, Panel, register
from .billing_stats import NORM_PCT, docs_pct_all, docs_pct_by_manager

HIGH_PCT, SHARED_PCT = 75.0, 90.0  # C §1.1: possibly shared access; very likely shared (upsell)
RED, GREEN, YELLOW = "#c62828", "#1a7f37", "#f2c94c"


def by_manager(ctx):
    data = docs_pct_by_manager(ctx)
    if ctx.ints("client"):  # client mode: engagement categories
        data["bands"] = [{"from": 0, "to": NORM_PCT, "color": RED}, {"from": NORM_PCT, "to": HIGH_PCT, "color": GREEN},
                         {"from": HIGH_PCT, "to": SHARED_PCT, "color": YELLOW},
                         {"from": SHARED_PCT, "to": 100, "color": RED}]
    return data


def monitored(ctx):
    rows = q.access_rows(ctx)
    counts = q.monitored_counts([r.id for r in rows], ctx.tr.start, ctx.tr.end, ctx.tz)
    return {"series": [
        {"name": _("Total clients"), "x": [t for t, _v in counts["clients"]], "y": [v for _t, v in counts["clients"]]},
        {"name": _("Online accesses"), "x": [t for t, _v in counts["accesses"]],
         "y": [v for _t, v in counts["accesses"]]},
    ], "unit": ""}


register(Dashboard(
    slug="billing-analytics",
    title=__("Online Billing. Analytics"),
    group=__("Online accesses"),
    business=True,
    variables=("client", "manager", "login"),
    default_from="now-6M",
    description=__("How well the online accesses are used: the average share of the document quota opened."),
    panels=[
        Panel("docs-pct-manager", __("Average % of the document limit used, per manager"), "timeseries", by_manager,
              width=12, height=360, unit="%", monthly=True,
              description=__("Below 15 %: low engagement (the Support Standard's minimum). With clients chosen: "
                             "15-75 % good, 75-90 % high (the access may be shared), 90 % and more: very likely "
                             "shared, offer more accesses.")),
        Panel("docs-pct-all", __("Average % of the document limit used, all clients"), "timeseries", docs_pct_all,
              width=6, unit="%", monthly=True,
              description=__("No norm is set by the Standard; the dealer may set its own.")),
        Panel("monitored", __("Total number of clients with online accesses under monitoring"), "timeseries",
              monitored, width=6,
              description=__("Clients and online accesses with a billing reading at each time: a failed reading "
                             "lowers the line.")),
    ],
))
