"""Dashboard "Online Billing. Data for prolongation" (C §8): one client's online accesses, one calendar year.

Decisions where C §8 is unclear: a cell is the lowest balance read in that quota month (the balance at month
end, since balances only fall within a month; it stays right when the month's last reading failed), 0 meaning
the quota ran out; a client with several accesses gets one block of rows per access (their quotas differ, a
sum would mean nothing). A row with the share of the document quota used closes each block."""
from django.utils.html import escape
from django.utils.translation import gettext as _, gettext_lazy as __

from .. import queries_bizonline as q
from .base import Dashboard, Panel, register
from .billing_stats import LOW, VERY_LOW
from .prolongation import chosen_client, client_managers, month_columns, year_notice, year_of

ROWS = (
    ("documents", __("Remaining document billing")),
    ("search", __("Remaining search")),
    ("print", __("Remaining print")),
    ("export", __("Remaining download/export")),
)


def _cls(v):
    if v is None:
        return "muted"
    return "bad" if v < VERY_LOW else "warn" if v < LOW else ""


def table(ctx):
    client, notice = chosen_client(ctx, "online_accesses")
    year = year_of(ctx)
    data = {"columns": month_columns(), "rows": [], "page_size": 100}
    if client is None:
        data["notice"] = _("No client to show.")
        return data
    rows = [r for r in q.access_rows(ctx) if r.client_id == client.pk]
    values = q.monthly_minimums(rows, year)
    no_data = _("No data")
    out = []
    for r in rows:
        months = values.get(r.id, {})
        prefix = f"{r.login}: " if len(rows) > 1 else ""
        for key, label in ROWS:
            row = {"metric": prefix + str(label), "_cell_class": {}}
            for m in range(1, 13):
                v = months.get(m)[key] if months.get(m) else None
                row[f"m{m}"] = no_data if v is None else v
                row["_cell_class"][f"m{m}"] = _cls(v)
            out.append(row)
        row = {"metric": prefix + _("% of the document limit used"), "_cell_class": {}}
        for m in range(1, 13):
            v = months.get(m)
            pct = q.used_pct(v["documents"], v["documents_limit"]) if v else None
            row[f"m{m}"] = no_data if pct is None else pct
        out.append(row)
    data["rows"] = out
    notices = [n for n in (notice, year_notice(ctx, year)) if n]
    if not rows:
        notices.append(_("The client has no online accesses under monitoring."))
    if notices:
        data["notice"] = " ".join(notices)
    return data


def header(ctx):
    client, _notice = chosen_client(ctx, "online_accesses")
    if client is None:
        return {"html": f"<p class='muted'>{escape(_('No client to show.'))}</p>"}
    return {"html": f"<div class='stat'>{escape(client.display_name)} <span class='stat-unit'>| "
                    f"{escape(client_managers(client))} | {year_of(ctx)}</span></div>"}


def instructions(ctx):
    year = year_of(ctx)
    items = [
        _("The dashboard shows prolongation data for a YEAR and is right only with the whole year as the range: "
          "From = %(year)d-01-01 00:00:00, To = %(year)d-12-31 23:59:59 (the end may lie in the future); press "
          "\"Apply time range\".") % {"year": year},
        _("Each cell is the balance left at the end of the month (the lowest reading of that month); 0 means the "
          "limit ran out. Yellow: under 150, red: under 50."),
        _("Repeated or early exhaustion of one or more limits is the argument for one more login (N+1) or the "
          "network version. The alerts OnlineBillingDocsLeft150/50/Zero and their print, search and export "
          "twins track the balances live."),
    ]
    return {"html": "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"}


register(Dashboard(
    slug="billing-prolongation",
    title=__("Online Billing. Data for prolongation"),
    group=__("Online accesses"),
    business=True,
    variables=("client",),
    default_from="now/y",
    description=__("One client's online billing balances at each month's end over a calendar year."),
    panels=[
        Panel("client", __("Client"), "text", header, width=12, height=60),
        Panel("table", __("Online Billing. Data for prolongation"), "table", table, width=12, height=360,
              description=__("The balance of each billing unit at the end of each month (quota months in the "
                             "client's time zone).")),
        Panel("instructions", __("Instructions"), "text", instructions, width=12, height=140),
    ],
))
