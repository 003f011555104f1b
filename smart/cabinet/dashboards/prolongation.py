"""Dashboard "Prolongation data" (A §5): one client's installations, one calendar year, metrics × months.

Corrections of the original (00-product.md): month-over-month % = (current − previous) / previous × 100 with
3 significant digits, ∞ when the previous month is 0 or has no data and the current is not, "No data" when
both are 0 or missing; January compares with the previous December; a month with reports but no use shows 0,
not "No data". Months are the installations' calendar months (the daily rollups' days)."""
from datetime import date, datetime, timezone

from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext as _, gettext_lazy as __

from .. import queries_bizonline as q
from .base import Dashboard, Panel, register

UTC = timezone.utc

# (key, label, value of a month's totals or None, with a % row)
ROWS = (
    ("documents", __("Number of documents requested from the DB"), True),
    ("saves", __("Number of saved documents"), True),
    ("prints", __("Number of printed documents"), True),
    ("refusals_no_seats", __("Connection attempts rejected because no free licences were left"), True),
    ("search_docs", __("User activity: intelligent-search queries + opened documents"), True),
    ("activity", __("User activity: all actions"), True),
    ("empty_searches", __("Searches that found nothing"), False),
    ("kassist_requests", __("kAssist requests"), False),
)
CHANGE_LABELS = {
    "documents": __("% change of documents vs the previous month"),
    "saves": __("% change of saved documents"),
    "prints": __("% change of printed documents"),
    "refusals_no_seats": __("% change of rejected attempts vs the previous month"),
    "search_docs": __("% change of intelligent searches + opened documents"),
    "activity": __("% change of user activity"),
}


def chosen_client(ctx, monitored: str = "installations"):
    """The one client of the dashboard (A §1.2): the chosen one, else the first client with `monitored` objects
    (installations, or online accesses)."""
    qs = ctx.clients.order_by("display_name", "pk")
    chosen = ctx.ints("client")
    if chosen:
        client = qs.filter(pk=chosen[0]).first()
        return client, (_("Only one client is shown: %(name)s.") % {"name": client} if client and len(chosen) > 1
                        else None)
    model = qs.model._meta.get_field(monitored).related_model
    client = qs.filter(pk__in=model.objects.filter(archived_at__isnull=True).values("client_id")).first() or qs.first()
    return client, (_("Choose a client: %(name)s is shown.") % {"name": client} if client else None)


def year_of(ctx) -> int:
    return ctx.tr.start.astimezone(ctx.tz).year


def year_notice(ctx, year: int) -> str | None:
    """A note when the range is not (the beginning of) one calendar year: the table shows the whole year."""
    start, end = ctx.tr.start.astimezone(ctx.tz), ctx.tr.end.astimezone(ctx.tz)
    starts_on_new_year = (start.month, start.day, start.hour, start.minute) == (1, 1, 0, 0)
    ends_in_year = end.year == year or (end.year == year + 1 and (end.month, end.day, end.hour, end.minute) == (1, 1, 0, 0))
    if starts_on_new_year and ends_in_year:
        return None
    return _("The table always shows the whole calendar year %(year)d (January to December).") % {"year": year}


def year_values(installations: list[tuple[int, str]], year: int) -> dict[date, dict | None]:
    """{month: {row key: value}} for the previous December and the 12 months of `year`; None = no data."""
    ids = [pk for pk, _zone in installations]
    first = date(year - 1, 12, 1)
    totals = q.monthly_totals(ids, first, date(year, 12, 31))
    searches = q.intelligent_searches_by_month(installations, datetime(year - 1, 11, 30, tzinfo=UTC),
                                               datetime(year + 1, 1, 2, tzinfo=UTC))
    result = {}
    for month in [first] + q.year_months(year):
        t = totals.get(month)
        if t is None:
            result[month] = None
            continue
        d = q.derived(t)
        result[month] = {
            "documents": d["documents"], "saves": t["saves"], "prints": t["prints"],
            "refusals_no_seats": t["refusals_no_seats"], "search_docs": d["documents"] + searches.get(month, 0),
            "activity": d["activity"], "empty_searches": t["empty_searches"], "kassist_requests": t["kassist_requests"],
        }
    return result


def month_columns() -> list[dict]:
    return [{"key": "metric", "title": _("Indicator"), "type": "text"}] + [
        {"key": f"m{m}", "title": str(capfirst(MONTHS[m])), "type": "number"} for m in range(1, 13)]


def table_rows(values: dict[date, dict | None], year: int, rows=ROWS, change_labels=CHANGE_LABELS) -> list[dict]:
    no_data = _("No data")
    out = []
    months = q.year_months(year)
    for key, label, with_change in rows:
        row, change = {"metric": str(label), "_cell_class": {}}, {"metric": str(change_labels.get(key, "")),
                                                                   "_cell_class": {}}
        for month in months:
            cur = values[month][key] if values.get(month) else None
            prev_month = q.month_add(month, -1)
            prev = values[prev_month][key] if values.get(prev_month) else None
            row[f"m{month.month}"] = no_data if cur is None else cur
            if cur is None:
                row["_cell_class"][f"m{month.month}"] = "muted"
            pct = q.change_pct(cur, prev)
            change[f"m{month.month}"] = no_data if pct is None else pct
            if isinstance(pct, float):
                change["_cell_class"][f"m{month.month}"] = "ok" if pct > 0 else "bad" if pct < 0 else ""
            elif pct is None:
                change["_cell_class"][f"m{month.month}"] = "muted"
        out.append(row)
        if with_change:
            out.append(change)
    return out


def prolongation_table(ctx):
    client, notice = chosen_client(ctx)
    year = year_of(ctx)
    data = {"columns": month_columns(), "rows": [], "page_size": 100}
    if client is None:
        data["notice"] = _("No client to show.")
        return data
    installations = list(ctx.installations.filter(client_id=client.pk).values_list("pk", "time_zone"))
    values = year_values(installations, year)
    data["rows"] = table_rows(values, year)
    notices = [n for n in (notice, year_notice(ctx, year)) if n]
    if not installations:
        notices.append(_("The client has no installations under monitoring: no data."))
    if notices:
        data["notice"] = " ".join(notices)
    return data


def client_managers(client) -> str:
    names = {str(m) for m in client.managers.all()}
    names |= {str(i.manager) for i in client.installations.filter(archived_at__isnull=True, manager__isnull=False)
              .select_related("manager")}
    return ", ".join(sorted(names)) or "—"


def header(ctx):
    client, _notice = chosen_client(ctx)
    if client is None:
        return {"html": f"<p class='muted'>{escape(_('No client to show.'))}</p>"}
    return {"html": f"<div class='stat'>{escape(client.display_name)} <span class='stat-unit'>| "
                    f"{escape(client_managers(client))} | {year_of(ctx)}</span></div>"}


def documents(ctx):
    """Links to the chosen client's prolongation report (XLSX, PDF) for the shown year (smart.reports)."""
    from django.urls import reverse

    client, _notice = chosen_client(ctx)
    if client is None:
        return {"html": f"<p class='muted'>{escape(_('No client to show.'))}</p>"}
    year = year_of(ctx)
    links = " · ".join(
        f"<a href='{escape(reverse('reports:prolongation', args=[client.pk, fmt]))}?year={year}' "
        f"data-prolongation='{fmt}'>{escape(label)}</a>"
        for fmt, label in (("xlsx", _("Prolongation report %(year)d (XLSX)") % {"year": year}),
                           ("pdf", _("Prolongation report %(year)d (PDF)") % {"year": year})))
    return {"html": f"<p>{escape(client.display_name)}: {links}</p>"}


def instructions(ctx):
    items = [
        _("Choose the client in \"Client\", then set the time range to the whole year, e.g. %(year)d-01-01 … "
          "%(year)d-12-31, and press \"Apply time range\". The end may lie in the future.") % {"year": year_of(ctx)},
        _("Change = (current − previous) / previous × 100: positive is growth, negative is a fall. ∞: the previous "
          "month had none. January is compared with the previous December. \"No data\": no reports that month, "
          "or 0 in both months."),
        _("For the decision-maker's report add the users who could not connect (the For managers dashboard), "
          "the kAssist analytics and the empty searches."),
        _("User activity, all actions: DB requests, documents opened, services, link follows, saves, prints, "
          "searches and kAssist requests."),
    ]
    return {"html": "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"}


register(Dashboard(
    slug="prolongation",
    title=__("Prolongation data"),
    group=__("Business analytics"),
    business=True,
    variables=("client",),
    default_from="now/y",
    description=__("One client's usage by month over a calendar year, for the contract renewal."),
    panels=[
        Panel("client", __("Client"), "text", header, width=12, height=60),
        Panel("table", __("Prolongation data"), "table", prolongation_table, width=12, height=420,
              description=__("Monthly totals over the client's installations; % rows compare with the month before.")),
        Panel("documents", __("Report for the decision-maker"), "text", documents, width=12, height=60),
        Panel("instructions", __("Instructions"), "text", instructions, width=12, height=140),
    ],
))
