"""Dashboard "Search queries" (B §G, "Поисковые запросы"): every search of the installations' users with its
outcome, and the empty ones apart, for upsell (sets that miss what users look for) and training."""
from django.utils.translation import gettext_lazy as _

from smart.metrics.models import SearchEvent

from .. import queries_bizinst as qb
from ..queries_bizonline import status_filter
from .base import Dashboard, Panel, register
from .managers import SEARCH_TYPES

LIMIT = 5000  # rows per table; a notice says when the range holds more
SOURCES = {"ksrv": "ksrv", "kassist": "kAssist"}


def _events(ctx, empty_only: bool):
    """The searches of the range under the dashboard's filters. The empty-search table keeps its own status (as in
    the original, it ignores the status filter)."""
    qs = SearchEvent.objects.filter(installation__in=ctx.installation_ids, at__gte=ctx.tr.start, at__lt=ctx.tr.end)
    if empty_only:
        qs = qs.filter(results=0)
    elif (f := status_filter("results", ctx.values("search_status"))) is not None:
        qs = qs.filter(f)
    if d := ctx.values("domain"):
        qs = qs.filter(qb.in_domains(d))
    if users := ctx.values("user"):
        qs = qs.filter(login__in=users)
    if sources := ctx.values("search_source"):
        qs = qs.filter(source__in=sources)
    if catalogues := ctx.values("search_catalog"):  # stored as the report wrote it: "/docs" or "kodeks02"
        qs = qs.filter(catalogue__in=[*catalogues, *("/" + c for c in catalogues)])
    if kinds := ctx.values("search_type"):
        qs = qs.filter(search_type__in=kinds)
    return qs


def _status(results) -> tuple[str, str]:
    if results is None:
        return "", ""
    return (str(_("Empty")), "bad") if results == 0 else (str(_("Success")), "ok")


def _truncated(data: dict, found: int) -> dict:
    if found > LIMIT:
        data["notice"] = str(_("The newest %(n)d rows are shown; narrow the range for the rest.") % {"n": LIMIT})
    return data


def all_searches(ctx) -> dict:
    """G1: every search, oldest first (the newest LIMIT of the range)."""
    lab = qb.labels(ctx.installations)
    found = list(_events(ctx, False).order_by("-at").values_list(
        "at", "installation_id", "login", "text", "catalogue", "search_type", "source", "results")[:LIMIT + 1])
    rows = []
    for at, inst, login, text, catalogue, kind, source, results in reversed(found[:LIMIT]):
        status, css = _status(results)
        label = lab[inst]
        rows.append({"time": at, "legal": label.legal_name, "login": login, "query": text, "catalogue": catalogue,
                     "searchtype": str(SEARCH_TYPES.get(kind, kind)), "source": SOURCES.get(source, source),
                     "host": label.name, "manager": label.manager, "status": status, "_cell_class": {"status": css}})
    return _truncated({"columns": [
        {"key": "time", "title": str(_("Time")), "type": "datetime"},
        {"key": "legal", "title": str(_("Legal entity")), "type": "text"},
        {"key": "login", "title": str(_("User")), "type": "text"},
        {"key": "query", "title": str(_("Query")), "type": "text"},
        {"key": "catalogue", "title": str(_("Catalogue")), "type": "text"},
        {"key": "searchtype", "title": str(_("Search type")), "type": "text"},
        {"key": "source", "title": str(_("Software / kAssist")), "type": "text"},
        {"key": "host", "title": str(_("Client")), "type": "text"},
        {"key": "manager", "title": str(_("Manager")), "type": "text"},
        {"key": "status", "title": str(_("Status")), "type": "text"},
    ], "rows": rows}, len(found))


def empty_searches(ctx) -> dict:
    """G2: the searches that found nothing, newest first."""
    lab = qb.labels(ctx.installations)
    found = list(_events(ctx, True).order_by("-at").values_list(
        "at", "installation_id", "login", "text", "search_type")[:LIMIT + 1])
    status = str(_("Empty"))
    rows = [{"time": at, "host": lab[inst].name, "manager": lab[inst].manager, "login": login, "status": status,
             "query": text, "searchtype": str(SEARCH_TYPES.get(kind, kind)), "_cell_class": {"status": "bad"}}
            for at, inst, login, text, kind in found[:LIMIT]]
    return _truncated({"columns": [
        {"key": "time", "title": str(_("Time")), "type": "datetime"},
        {"key": "host", "title": str(_("Host")), "type": "text"},
        {"key": "manager", "title": str(_("Manager")), "type": "text"},
        {"key": "login", "title": str(_("User")), "type": "text"},
        {"key": "status", "title": str(_("Status")), "type": "text"},
        {"key": "query", "title": str(_("Query")), "type": "text"},
        {"key": "searchtype", "title": str(_("Search type")), "type": "text"},
    ], "rows": rows}, len(found))


register(Dashboard(
    slug="search-queries", title=_("Search queries"), business=True, default_from="now-30d",
    variables=("client", "manager", "host", "domain", "user", "search_source", "search_catalog", "search_status",
               "search_type"),
    group=_("Business analytics"),
    description=_("What the users of the installations searched for, and what they did not find."),
    panels=[
        Panel("all", _("Search queries"), "table", all_searches, width=12, height=460,
              description=_("Every search with its status: Success (found at least one item) or Empty (found "
                            "nothing). Type a word in the filter (e.g. Empty, a catalogue, a login) to narrow it.")),
        Panel("empty", _("Empty search"), "table", empty_searches, width=12, height=420,
              description=_("Searches that found nothing: at renewal they justify adding the sets that hold the "
                            "documents looked for; many of them suggest training or badly chosen sets.")),
    ],
))
