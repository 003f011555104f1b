"""B §F "Connected users": who holds a licence seat, as the newest sysinfo report in the range lists them."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import queries_tech as qt
from ._tech import TECH_GROUP, col, link_row, no_data_notice
from .base import Dashboard, Panel, register


MAX_ROWS = 2000  # a table a person reads; the count panel counts them all


def connected(ctx) -> dict:
    rows, ips, total = qt.connected_page(ctx.installations.values("pk"), ctx.range, ctx.values("domain"), MAX_ROWS)
    out = []
    for r in rows:
        n = ips.get((r["installation_id"], r["login"]), 1)
        row = {"client": r["installation__client__display_name"], "host": r["installation__name"],
               "login": r["login"], "started_at": r["started_at"], "ip": r["ip"], "ips": n, "browser": r["browser"],
               "domain": r["domain"], "report_time": r["report_time"]}
        if n > 1:  # B §F: one login from several addresses: a seat shortage, or leaked credentials
            row["_cell_class"] = {"login": "warn", "ips": "warn"}
        out.append(link_row(row, r["installation_id"], "host"))
    data = {
        "columns": [col("client", _("Client")), col("host", _("Host")), col("login", _("Login")),
                    col("started_at", _("Time on the server"), "datetime"), col("ip", _("IP")),
                    col("ips", _("IPs of this login"), "number"), col("browser", _("Browser")),
                    col("domain", _("Domain")), col("report_time", _("Report"), "datetime")],
        "rows": out,
    }
    if total > MAX_ROWS:
        data["notice"] = _("The first %(shown)s of %(total)s sessions (by client and host): choose a client, a host "
                           "or a domain to see the rest.") % {"shown": MAX_ROWS, "total": total}
    return no_data_notice(data)


def summary(ctx) -> dict:
    return {"value": qt.connected_logins(ctx.installations.values("pk"), ctx.range, ctx.values("domain")), "unit": ""}


register(Dashboard(
    slug="connected-users",
    title=gettext_lazy("Connected users"),
    description=gettext_lazy("Who occupies a licence, without remote access to a closed network"),
    group=TECH_GROUP,
    variables=("client", "host", "domain"),
    default_from="now-24h",
    panels=[
        Panel("count", gettext_lazy("Users connected"), "stat", summary, width=4, height=120,
              description=gettext_lazy("Distinct logins in the table below.")),
        Panel("sessions", gettext_lazy("Users occupying licences at the moment sysinfo was obtained"), "table",
              connected, width=12, height=520,
              description=gettext_lazy(
                  "The sessions listed by each installation's newest sysinfo report in the range. One login "
                  "from several IPs (highlighted) with a steady seat shortage: take stock of the registered "
                  "users and offer more seats; it can also mean the credentials leaked. Over the Internet or "
                  "Techexpert.Cloud every user may show the same IP.")),
    ],
))
