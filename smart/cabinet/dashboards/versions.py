"""B §D "Version control of the software, kassist and others": which versions run at each client."""
import re
from datetime import timedelta

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smart.metrics.models import InstallationState, VersionEvent

from .. import queries_tech as qt
from ._tech import TECH_GROUP, col, link_row, no_data_notice
from .base import Dashboard, Panel, register

LOOKBACK = timedelta(days=30)  # D1: versions used over the last 30 days
COMPONENT_NAMES = {"server": "ksrv"}  # the K/TE server is "ksrv" in the original's tables


def version_key(version: str) -> tuple:
    """Numeric-aware order: 6.4.5.15 before 6.4.5.127, then the text after the numbers."""
    head = re.match(r"[\d.]*", version or "").group(0)
    return tuple(int(p) for p in head.split(".") if p), version or ""


def used_versions(ctx) -> dict:
    end = ctx.range.end
    rows = list(VersionEvent.objects.filter(installation__in=ctx.installations.values("pk"),
                                            last_seen__gte=end - LOOKBACK, first_seen__lte=end)
                .values_list("installation_id", "component", "version").distinct())
    info = qt.installation_info({r[0] for r in rows})
    out = []
    for inst, component, version in sorted(rows, key=lambda r: (version_key(r[2]), r[1], r[0])):
        i = info.get(inst)
        if i is None:
            continue
        out.append(link_row({"client": i["client"], "type": COMPONENT_NAMES.get(component, component),
                             "version": version, "address": i["address"], "manager": i["manager"]}, inst, "client"))
    return no_data_notice({
        "columns": [col("client", _("Client")), col("type", _("Type")), col("version", _("Software version")),
                    col("address", _("Address")), col("manager", _("Manager"))],
        "rows": out,
    })


def statistics(ctx) -> dict:
    rows = list(InstallationState.objects.filter(installation__in=ctx.installations.values("pk"))
                .exclude(version="", sysinfo_version="")
                .values_list("installation_id", "version", "arch", "patch", "sysinfo_version"))
    info = qt.installation_info({r[0] for r in rows})
    out = []
    for inst, version, arch, patch, sysinfo in sorted(rows, key=lambda r: (version_key(r[1]), r[0])):
        i = info.get(inst)
        if i is None:
            continue
        full = version + (f" ({arch})" if arch else "") + (f" [{patch}]" if patch else "")
        out.append(link_row({"client": i["client"], "server_version": full, "sysinfo_version": sysinfo,
                             "address": i["address"], "manager": i["manager"]}, inst, "client"))
    return no_data_notice({
        "columns": [col("client", _("Client")), col("server_version", _("Software version (server)")),
                    col("sysinfo_version", _("SysInfo version")), col("address", _("Address")),
                    col("manager", _("Manager"))],
        "rows": out,
    })


def information(ctx) -> dict:
    paragraphs = [
        _("The versions of the K/TE server and of its components as the installations report them in sysinfo, "
          "so that nobody has to open each installation's administration page to know whether it is current."),
        _("“Software versions used over the last 30 days” lists every client, component and version seen in the "
          "30 days up to the end of the chosen range: a client that was updated shows both versions. "
          "“Statistics” shows the newest report of each installation."),
        _("Sort by client, version or manager with a click on a column title; the filter above each table "
          "narrows its rows. Version 6.4.5.127 or newer is needed for the sysmon metrics."),
    ]
    return {"html": "".join(f"<p>{escape(p)}</p>" for p in paragraphs)}


register(Dashboard(
    slug="versions",
    title=gettext_lazy("Version control of the software, kassist and others"),
    description=gettext_lazy("Which versions of the server and its modules run at each client"),
    group=TECH_GROUP,
    variables=("client", "manager"),
    default_from="now-1h",
    panels=[
        Panel("used", gettext_lazy("Software versions used in the company over the last 30 days"), "table",
              used_versions, width=6, height=420,
              description=gettext_lazy("Every (client, component, version) seen in the 30 days up to the end of "
                                       "the range; plan and trigger updates from it.")),
        Panel("statistics", gettext_lazy("Statistics"), "table", statistics, width=6, height=420,
              description=gettext_lazy("The newest server and sysinfo module versions of each installation.")),
        Panel("information", gettext_lazy("Information"), "text", information, width=12, height=210),
    ],
))
