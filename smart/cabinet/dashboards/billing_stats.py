"""Dashboard "Billing Online. Statistics" (A §4): the billing counters of simple online accesses.

The table shows the newest reading in the range (A §4.1, spec recommendation: not an aggregate), its colour
rules, a "Mean" footer over every row, and a burn-rate forecast: at this quota month's pace, which counter runs
out first and on which day (client's zone), using the alert engine's own forecast."""
from django.utils.translation import gettext as _, gettext_lazy as __

from .. import queries_bizonline as q
from .base import Dashboard, Panel, register

LOW, VERY_LOW = 150, 50  # remaining units: yellow below 150, red below 50 (A §4.1, the 150/50/0 alerts)
DOCS_PCT_RED = 10.0  # % of the document quota used: red below (A §4.1, between 5.3 and 10.3 observed)
SEARCH_PCT_RED = 1.0  # % of the search quota used: red below (between 0.8 and 1.1 observed)
NORM_PCT = 15.0  # Support Standard: ≥ 15 % of the document quota used per manager (A §4.7)
COUNTER_LABELS = {"documents": __("documents"), "search": __("search"), "print": __("print"), "export": __("export")}


def _left_class(v):
    if v is None:
        return ""
    return "bad" if v < VERY_LOW else "warn" if v < LOW else ""


def billing_table(ctx):
    rows = q.access_rows(ctx)
    zones = q.zones_of(rows)
    readings = q.latest_readings([r.id for r in rows], ctx.tr.start, ctx.tr.end)
    out = []
    for r in rows:
        reading = readings.get(r.id)
        row = {"client": r.client, "login": r.login, "manager": r.manager, "_cell_class": {}}
        if reading is not None:
            row.update({
                "documents": reading.documents_left,
                "docs_pct": q.used_pct(reading.documents_left, reading.documents_limit),
                "search": reading.search_left,
                "search_pct": q.used_pct(reading.search_left, reading.search_limit),
                "print": reading.print_left, "export": reading.export_left, "at": reading.at,
            })
            when, counter = q.forecast(reading, zones[r.client_id])
            if counter is not None:
                exhausted = when <= reading.at
                row["forecast"] = _("exhausted") if exhausted else when.astimezone(zones[r.client_id]).strftime("%Y-%m-%d")
                row["forecast_counter"] = str(COUNTER_LABELS[counter])
                row["_cell_class"]["forecast"] = "bad" if exhausted else "warn"
            else:
                row["forecast"] = _("not this month")
            cls = row["_cell_class"]
            for key in ("documents", "search", "print", "export"):
                cls[key] = _left_class(row[key])
            if row["docs_pct"] is not None and row["docs_pct"] < DOCS_PCT_RED:
                cls["docs_pct"] = "bad"
            if row["search_pct"] is not None and row["search_pct"] < SEARCH_PCT_RED:
                cls["search_pct"] = "bad"
        out.append(row)
    out.sort(key=lambda x: (x.get("documents") is None, x.get("documents") or 0, x["client"], x["login"]))
    numeric = ("documents", "docs_pct", "search", "search_pct", "print", "export")
    footer = {"client": _("Mean")}
    for key in numeric:  # the mean of every numeric column over all rows, not just the visible page (A §4.1)
        values = [x[key] for x in out if x.get(key) is not None]
        footer[key] = round(sum(values) / len(values), 1) if values else None
    columns = [
        {"key": "client", "title": _("Client"), "type": "text"},
        {"key": "login", "title": _("Login"), "type": "text"},
        {"key": "documents", "title": _("Documents"), "type": "number"},
        {"key": "docs_pct", "title": _("% docs used"), "type": "number"},
        {"key": "search", "title": _("Search"), "type": "number"},
        {"key": "search_pct", "title": _("% search used"), "type": "number"},
        {"key": "print", "title": _("Print"), "type": "number"},
        {"key": "export", "title": _("Export"), "type": "number"},
        {"key": "manager", "title": _("Manager"), "type": "text"},
        {"key": "forecast", "title": _("Runs out (forecast)"), "type": "text"},
        {"key": "forecast_counter", "title": _("Counter"), "type": "text"},
        {"key": "at", "title": _("Read at"), "type": "datetime"},
    ]
    data = {"columns": columns, "rows": out, "footer": footer, "page_size": 13}
    if not readings and rows:
        data["notice"] = _("No billing readings in this range.")
    return data


def _series(ctx, rows, points: dict, label) -> list[dict]:
    series = [{"name": label(key), "x": [t for t, _v in pts], "y": [v for _t, v in pts]}
              for key, pts in points.items() if pts]
    return sorted(series, key=lambda s: (s["y"][-1] is None, s["y"][-1] or 0, s["name"]))  # Last *, ascending


def remaining(counter: str, bands: bool):
    """One series per access, at most REMAINING_TOP of them: the accesses with the fewest units left at their
    newest reading (nearest exhaustion); the rest are one "Others" line, their mean per bucket."""
    def query(ctx):
        rows = q.access_rows(ctx)
        names = {r.id: r.label for r in rows}
        last = q.last_remaining(names, ctx.tr.start, ctx.tr.end, counter)
        ranked = sorted(last, key=lambda a: (last[a], names[a]))
        kept, others = ranked[:q.REMAINING_TOP], ranked[q.REMAINING_TOP:]
        step, points, mean = q.remaining_series(kept, ctx.tr.start, ctx.tr.end, counter, ctx.tz, others=others)
        series = _series(ctx, rows, points, names.get)
        notices = []
        if others:
            series.append({"name": _("Others (mean of %(n)d accesses)") % {"n": len(others)},
                           "x": [t for t, _v in mean], "y": [v for _t, v in mean]})
            notices.append(_("The %(shown)d accesses with the fewest units left are drawn one by one; \"Others\" "
                             "is the mean of the other %(n)d.") % {"shown": len(kept), "n": len(others)})
        if step > 3600:
            notices.append(_("One point per %(hours)d hours: the lowest reading of each.") % {"hours": step // 3600})
        data = {"series": series, "log": True, "unit": _("pcs."), "step": step}
        if notices:
            data["notice"] = " ".join(notices)
        if bands:
            data["bands"] = [{"from": 0, "to": VERY_LOW, "color": "#c62828"},
                             {"from": VERY_LOW, "to": LOW, "color": "#f2c94c"}]
        return data
    return query


def docs_pct_all(ctx):
    rows = q.access_rows(ctx)
    points = q.docs_used_pct_series([r.id for r in rows], ctx.tr.start, ctx.tr.end, ctx.tz, by_manager=False)
    return {"series": [{"name": _("Percent"), "x": [t for t, _v in points.get(None, [])],
                        "y": [v for _t, v in points.get(None, [])]}], "unit": "%"}


def manager_names(rows) -> dict:
    names = {r.manager_id: r.manager for r in rows if r.manager_id}
    names[None] = _("(no manager)")
    return names


def docs_pct_by_manager(ctx):
    rows = q.access_rows(ctx)
    names = manager_names(rows)
    points = q.docs_used_pct_series([r.id for r in rows], ctx.tr.start, ctx.tr.end, ctx.tz, by_manager=True)
    series = [{"name": names.get(m, str(m)), "x": [t for t, _v in pts], "y": [v for _t, v in pts]}
              for m, pts in points.items() if pts]
    series.sort(key=lambda s: -(s["y"][-1] or 0))  # Last *, descending (A §4.7)
    return {"series": series, "unit": "%",
            "bands": [{"from": 0, "to": NORM_PCT, "color": "#c62828"}, {"from": NORM_PCT, "to": 100, "color": "#1a7f37"}]}


def problems(ctx):
    rows = q.access_rows(ctx)
    by_id = {r.id: r for r in rows}
    out = []
    for e in q.scrape_errors(list(by_id), ctx.tr.start, ctx.tr.end):
        r = by_id[e["online_access_id"]]
        out.append({"client": r.client, "address": r.host, "catalog": r.folder, "login": r.login,
                    "error": e["state"] or _("error"), "manager": r.manager, "at": e["at"], "detail": e["detail"],
                    "_cell_class": {"error": "bad"}})
    out.sort(key=lambda x: (x["client"], x["login"]))  # default sort: client ascending (A §4.8)
    columns = [
        {"key": "client", "title": _("Client"), "type": "text"},
        {"key": "address", "title": _("Address"), "type": "text"},
        {"key": "catalog", "title": _("Catalog"), "type": "text"},
        {"key": "login", "title": _("Login"), "type": "text"},
        {"key": "error", "title": _("Error text"), "type": "text"},
        {"key": "manager", "title": _("Manager"), "type": "text"},
        {"key": "at", "title": _("Time"), "type": "datetime"},
        {"key": "detail", "title": _("Details"), "type": "text"},
    ]
    data = {"columns": columns, "rows": out, "page_size": 8}
    if not out:
        data["notice"] = _("No errors: every reading in this range succeeded (the normal state).")
    return data


ERROR_VARIANTS = (
    ("LoginPasswordError", __("The combination of login, password, address and catalog is wrong")),
    ("ConnectionTimeout", __("Could not connect to the DC server")),
    ("ReadTimeOut", __("The DC server sent no data")),
    ("OtherErrorCode400+", __("The server answered with an HTTP status of 400 or higher; the details column says which")),
    ("HTTPError", __("The server did not answer valid HTTP")),
    ("RequestException", __("The request failed otherwise (for example a redirect loop); see the details")),
    ("ConnectionError", __("The connection was refused or the name does not resolve")),
    ("UnexpectedPage", __("The vendor changed a page: SMART could not read the counters; the details name the element")),
)


def error_variants(ctx):
    from django.utils.html import escape

    rows = "".join(f"<tr><td><code>{escape(code)}</code></td><td>{escape(str(text))}</td></tr>"
                   for code, text in ERROR_VARIANTS)
    return {"html": f'<table class="data"><thead><tr><th>{escape(_("Code"))}</th><th>{escape(_("Meaning"))}</th>'
                    f"</tr></thead><tbody>{rows}</tbody></table>"}


register(Dashboard(
    slug="billing-stats",
    title=__("Billing Online. Statistics"),
    group=__("Online accesses"),
    business=True,
    variables=("client", "manager", "login"),
    default_from="now/M",
    description=__("Remaining billing units of the online accesses, their use and the errors reading them."),
    panels=[
        Panel("billing", __("Billing Online"), "table", billing_table, width=12, height=420,
              description=__("The newest reading in the range. Documents: yellow below 150, red below 50; "
                             "% docs used red below 10; % search used red below 1. The forecast is the day the "
                             "first counter runs out at this month's pace (client's time zone).")),
        Panel("docs-left", __('Remaining "Documents"'), "timeseries", remaining("documents", True), width=12,
              unit="pcs.", description=__("Documents that can still be opened this month; red below 50, "
                                          "yellow 50-150. A fast dive suggests a shared access.")),
        Panel("search-left", __('Remaining "Search"'), "timeseries", remaining("search", False), width=12,
              unit="pcs."),
        Panel("print-left", __('Remaining "Print"'), "timeseries", remaining("print", False), width=6, unit="pcs."),
        Panel("export-left", __('Remaining "Export"'), "timeseries", remaining("export", False), width=6,
              unit="pcs."),
        Panel("docs-pct-all", __("Average % of the document limit used, all clients"), "timeseries", docs_pct_all,
              width=6, unit="%", monthly=True,
              description=__("The mean of % docs used over the accesses; the Support Standard sets no norm here.")),
        Panel("docs-pct-manager", __("Average % of the document limit used, per manager"), "timeseries",
              docs_pct_by_manager, width=6, unit="%", monthly=True,
              description=__("The Support Standard asks for at least 15 % by the month's end.")),
        Panel("problems", __("Problems obtaining statistics"), "table", problems, width=8, height=300,
              description=__("Every failed reading of the billing counters or search history; empty is normal.")),
        Panel("error-variants", __("Error variants"), "text", error_variants, width=4, height=300),
    ],
))
