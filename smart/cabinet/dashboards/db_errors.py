"""B §E "DB errors": how many database volumes report each error, per installation and report."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import queries_tech as qt
from ._tech import TECH_GROUP, capped_notice, no_data_notice, ordered, series
from .base import Dashboard, Panel, register


def db_errors(ctx) -> dict:
    found = qt.db_error_series(ctx.installations.values("pk"), ctx.range, ctx.tz)
    info = qt.installation_info({i for i, _m in found})
    items = [series(f"{info[inst]['name']} {message}", points, mode="markers")
             for (inst, message), points in found.items() if inst in info]
    items = ordered(items, descending=True)
    shown, total = qt.cap(items)
    data = {"series": shown, "unit": _("volumes"), "log": True}
    if notice := capped_notice(len(shown), total):
        data["notice"] = notice
    return no_data_notice(data)


register(Dashboard(
    slug="db-errors",
    title=gettext_lazy("DB errors"),
    description=gettext_lazy("Errors of the database files reported by the installations"),
    group=TECH_GROUP,
    variables=("manager", "client", "host"),
    default_from="now-30d",
    panels=[
        Panel("errors", gettext_lazy("Number of errors with database files"), "timeseries", db_errors, width=12,
              height=460, unit="",
              description=gettext_lazy(
                  "One series per installation and error message: at each sysinfo report, the number of database "
                  "volumes for which that error is listed (logarithmic axis). “Database volume already connected” "
                  "is harmless; code 2007 means no rights to the database copy.")),
    ],
))
