"""Dashboard "Search query execution time" (C §10): searches of the installations that ran longer than a
threshold (1 s unless chosen), as points per installation and catalog on a logarithmic axis, and as a table
to find the exact query behind a point. Empty searches always take long; analyse successful ones at 10 s."""
from collections import defaultdict

from django.utils.translation import gettext as _, gettext_lazy as __

from .. import queries_bizonline as q
from .base import Dashboard, Panel, register


def _name(e) -> str:
    catalogue = (e["catalogue"] or "").strip("/")
    return f"{e['installation__name']}/{catalogue}" if catalogue else e["installation__name"]


def _notice(ctx, truncated: bool, n: int) -> str:
    text = _("Searches longer than %(s)s s.") % {"s": f"{q.threshold_s(ctx):g}"}
    if truncated:
        text += " " + _("Only the newest %(n)d queries are shown: narrow the range or the filters.") % {"n": n}
    return text


def points(ctx):
    rows, truncated = q.slow_searches(ctx)
    series = defaultdict(lambda: {"x": [], "y": []})
    for e in reversed(rows):
        s = series[_name(e)]
        s["x"].append(e["at"])
        s["y"].append(round(e["duration_ms"] / 1000, 2))
    out = [{"name": k, "x": v["x"], "y": v["y"], "mode": "markers"} for k, v in series.items()]
    out.sort(key=lambda s: -max(s["y"]))  # legend sorted by Max, descending
    return {"series": out, "log": True, "unit": "s", "notice": _notice(ctx, truncated, len(rows))}


def queries_table(ctx):
    rows, truncated = q.slow_searches(ctx)
    out = [{"at": e["at"], "duration": round(e["duration_ms"] / 1000, 2), "catalog": (e["catalogue"] or "").strip("/"),
            "client": e["installation__name"], "login": e["login"], "query": e["text"],
            "status": _("success") if (e["results"] or 0) > 0 else _("empty"),
            "_cell_class": {"status": "ok" if (e["results"] or 0) > 0 else "bad",
                            "duration": "bad" if e["duration_ms"] >= 10000 else ""}} for e in rows]
    out.sort(key=lambda r: -r["duration"])
    columns = [
        {"key": "at", "title": _("Time"), "type": "datetime"},
        {"key": "duration", "title": _("Duration, s"), "type": "number"},
        {"key": "catalog", "title": _("Catalog"), "type": "text"},
        {"key": "client", "title": _("Client"), "type": "text"},
        {"key": "login", "title": _("Login"), "type": "text"},
        {"key": "query", "title": _("Query"), "type": "text"},
        {"key": "status", "title": _("Search status"), "type": "text"},
    ]
    return {"columns": columns, "rows": out, "notice": _notice(ctx, truncated, len(rows))}


register(Dashboard(
    slug="search-time",
    title=__("Search query execution time"),
    group=__("Business analytics"),
    business=True,
    variables=("client", "host", "search_status", "search_threshold", "search_catalog"),
    default_from="now-7d",
    description=__("How long the installations took to run users' searches: slow installations and queries "
                   "users should learn to phrase better."),
    panels=[
        Panel("points", __("Search queries lasting more than the threshold"), "timeseries", points, width=12,
              height=360, unit="s",
              description=__("Each point is one search. Users feel 7-10 s as severe slowness; empty searches "
                             "always exceed 10 s, so analyse successful ones with the threshold at 10 s.")),
        Panel("queries", __("Queries"), "table", queries_table, width=12, height=420,
              description=__("Match a point's duration to find its query. Red: 10 s or longer.")),
    ],
))
