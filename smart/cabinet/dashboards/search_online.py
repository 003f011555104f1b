"""Dashboard "Search queries. Online" (B §H): the search history of simple online accesses, read nightly.

Filters: client, manager, online access (login), search status, search type, catalog; the table's own filter
box searches users and query texts. Rows are the stored history, already de-duplicated by (time, user, text,
type) when read, so the original's repeated rows do not appear; times use a 24-hour clock."""
from django.utils.translation import gettext as _, gettext_lazy as __

from .. import queries_bizonline as q
from .base import Dashboard, Panel, register


def status_of(results):
    if results is None:
        return "", ""
    return (_("success"), "ok") if results > 0 else (_("empty"), "bad")


def queries_table(ctx):
    accesses = {r.id: r for r in q.access_rows(ctx)}
    rows, truncated = q.online_searches(ctx, list(accesses))
    out = []
    for e in reversed(rows):  # ascending time (B §H1)
        a = accesses[e["online_access_id"]]
        status, cls = status_of(e["results"])
        out.append({"at": e["at"], "user": e["login"], "query": e["text"], "catalog": a.folder,
                    "type": e["search_type"], "client": a.client, "manager": a.manager, "status": status,
                    "results": e["results"], "_cell_class": {"status": cls}})
    columns = [
        {"key": "at", "title": _("Time"), "type": "datetime"},
        {"key": "user", "title": _("User"), "type": "text"},
        {"key": "query", "title": _("Query"), "type": "text"},
        {"key": "catalog", "title": _("Catalog"), "type": "text"},
        {"key": "type", "title": _("Search type"), "type": "text"},
        {"key": "client", "title": _("Client"), "type": "text"},
        {"key": "manager", "title": _("Manager"), "type": "text"},
        {"key": "status", "title": _("Success"), "type": "text"},
        {"key": "results", "title": _("Found"), "type": "number"},
    ]
    data = {"columns": columns, "rows": out, "page_size": 19}
    if truncated:
        data["notice"] = _("Only the newest %(n)d queries are shown: narrow the range or the filters.") % {"n": len(out)}
    elif not out:
        data["notice"] = _("No queries: the history of online accesses is read once a night.")
    return data


def per_day(ctx):
    accesses = [r.id for r in q.access_rows(ctx)]
    days = q.online_search_days(ctx, accesses, ctx.tz)
    names = {"success": _("Successful"), "empty": _("Empty")}
    return {"series": [{"name": names[k], "x": [t for t, _v in v], "y": [n for _t, n in v]} for k, v in days.items()],
            "stack": True, "unit": _("queries")}


register(Dashboard(
    slug="search-online",
    title=__("Search queries. Online"),
    group=__("Online accesses"),
    business=True,
    variables=("client", "manager", "login", "search_status", "search_type", "search_catalog"),
    default_from="now-7d",
    description=__("What the users of online accesses searched for and whether they found it."),
    panels=[
        Panel("per-day", __("Queries per day"), "bars", per_day, width=12, height=220),
        Panel("queries", __("Search queries"), "table", queries_table, width=12, height=480,
              description=__("Success: the search found at least one item; empty: nothing. Upsell: client + "
                             "status Empty; quality of the sets: status Success.")),
    ],
))
