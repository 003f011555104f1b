"""A §2 "Kodeks server metrics": abnormal server states, partitions low on space, online check statuses."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smart.probes.models import Check

from .. import queries_tech as qt
from ._tech import TECH_GROUP, capped_notice, col, link_row, no_data_notice, ordered, series
from .base import Dashboard, Panel, register

STATE_LABELS = {
    "maintenance": gettext_lazy("Maintenance mode"),
    "need_support": gettext_lazy("Maintenance required"),
    "not_working": gettext_lazy("Server not working"),
    "key_not_found": gettext_lazy("Key not found"),
    "not_started": gettext_lazy("Server did not start"),
    "server_errors": gettext_lazy("Errors on the server"),
    "seats_exhausted": gettext_lazy("Licences exhausted"),
}
LOW_SPACE_BYTES = 10 * 1024 ** 3  # A §2.2: "less than 10 GB free" (binary gigabytes, as the OS shows them)
VERY_LOW_BYTES = 2 * 1024 ** 3  # the cell turns red below this
GB = 1024 ** 3
# The checks of an installation in the order of the legend of A §2.3 (online-access checks are not drawn here).
INSTALLATION_CHECKS = [Check.TCP, Check.HTTP200, Check.AUTH, Check.MAINTENANCE, Check.WARNING, Check.KEY,
                       Check.LIMIT, Check.ICMP, Check.PROXY, Check.LICMAN_ICMP, Check.LICMAN_TCP,
                       Check.PULL_SYSINFO, Check.PULL_STATUS]


def abnormal(ctx) -> dict:
    found = qt.abnormal_series(ctx.installations.values("pk"), ctx.range, ctx.tz)
    info = qt.installation_info({i for i, _s in found})
    items = [series(f"{STATE_LABELS[state]} {info[inst]['name']}", points, mode="markers")
             for (inst, state), points in found.items() if inst in info]
    items = ordered(items, descending=True)  # legend "current", descending (A §2.1)
    shown, total = qt.cap(items)
    data = {"series": shown, "unit": _("HTTP code")}
    if notice := capped_notice(len(shown), total):
        data["notice"] = notice
    return no_data_notice(data)


def low_space(ctx) -> dict:
    rows = qt.low_partitions(ctx.installations.values("pk"), ctx.range, LOW_SPACE_BYTES)
    info = qt.installation_info({r["installation_id"] for r in rows})
    out = []
    for r in rows:
        i = info.get(r["installation_id"])
        if i is None:
            continue
        free = round(r["free_bytes"] / GB, 2)
        size = round(r["total_bytes"] / GB, 2) if r["total_bytes"] else None
        row = {"client": i["client"], "host": i["name"], "path": r["path"], "free_gb": free, "size_gb": size,
               "free_pct": round(100 * r["free_bytes"] / r["total_bytes"], 1) if r["total_bytes"] else None,
               "observed_at": r["observed_at"], "manager": i["manager"],
               "_cell_class": {"free_gb": "bad" if r["free_bytes"] < VERY_LOW_BYTES else "warn"}}
        out.append(link_row(row, r["installation_id"], "host"))
    return no_data_notice({
        "columns": [col("client", _("Client")), col("host", _("Host")), col("path", _("Partition")),
                    col("free_gb", _("Free, GB"), "number"), col("size_gb", _("Size, GB"), "number"),
                    col("free_pct", _("Free, %"), "number"), col("observed_at", _("Measured at"), "datetime"),
                    col("manager", _("Manager"))],
        "rows": out,
    })


def check_statuses(ctx) -> dict:
    checks = ctx.values("checktype") or INSTALLATION_CHECKS
    pairs, total = qt.chosen_checks(ctx.installations.values("pk"), checks)
    found = qt.check_series(pairs, ctx.range, ctx.tz)
    info = qt.installation_info({i for i, _c in pairs})
    items = [series(f"{check} {info[inst]['name']}", found.get((inst, check), []), shape="hv")
             for inst, check in pairs if inst in info]
    items = [s for s in items if s["x"]]
    items = ordered(items, descending=False)  # legend Last*, ascending: failing checks first (A §2.3)
    data = {"series": items, "unit": ""}
    if notice := capped_notice(len(pairs), total):
        data["notice"] = notice
    return no_data_notice(data)


register(Dashboard(
    slug="server-metrics",
    title=gettext_lazy("Kodeks server metrics"),
    description=gettext_lazy("Abnormal server states, partitions low on space and the online checks as SMART "
                             "sees them"),
    group=TECH_GROUP,
    variables=("manager", "client", "host", "checktype"),
    default_from="now-7d",
    panels=[
        Panel("abnormal", gettext_lazy("Abnormal server state time"), "timeseries", abnormal, width=12, height=360,
              description=gettext_lazy(
                  "One series per abnormal state and installation, from SMART's checks of the main page, the "
                  "protection key and the free seats. 0: the state is no longer seen; any other value is the "
                  "HTTP code returned while the state was seen (1: no HTTP answer at all). A rising frequency "
                  "on one installation is a reason to check it before it fails.")),
        Panel("low-space", gettext_lazy("Partitions with less than 10 GB free"), "table", low_space, width=12,
              height=260,
              description=gettext_lazy(
                  "The latest reading in the range of each partition reported by the sysmon disk metrics "
                  "(status files), listed when less than 10 GB is free; red below 2 GB.")),
        Panel("checks", gettext_lazy("Online check statuses"), "timeseries", check_statuses, width=12, height=420,
              description=gettext_lazy(
                  "1: the check passed, 0: it failed (in a bucket wider than one run: at least one run failed). "
                  "During maintenance the sign-in and main-page checks read 0, and without a working smartlogin "
                  "sign-in the key and warning checks read 0 too: that is expected.")),
    ],
))
