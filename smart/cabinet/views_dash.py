"""Dashboard pages, panel data (JSON) and table exports (CSV, XLSX)."""
import csv
import io
import json
from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import variables
from .audit import record
from .context import user_zone
from .dashboards import REGISTRY, Ctx
from .timerange import QUICK_RANGES, REFRESH_CHOICES, TimeRange, refresh_seconds


def _dashboard(request, slug):
    dash = REGISTRY.get(slug)
    if dash is None or not dash.visible_to(request.user):
        raise Http404
    return dash


def make_ctx(request, dash) -> Ctx:
    tz = user_zone(request.user)
    now = timezone.now()
    tr = TimeRange.from_query(request.GET.get("from"), request.GET.get("to"), now, tz, dash.default_from)
    chosen = {name: request.GET.getlist(f"var-{name}") for name in dash.variables}
    return Ctx(user=request.user, now=now, tr=tr, tz=tz, vars=chosen)


@login_required
@require_GET
def dashboard_list(request):
    dashboards = [d for d in REGISTRY.values() if d.visible_to(request.user)]
    return render(request, "cabinet/dashboard_list.html", {"dashboards": dashboards})


def _query(request, **changes) -> str:
    """The current query string with some parameters replaced (None removes one): links keep every choice."""
    q = request.GET.copy()
    for key, value in changes.items():
        key = {"view_panel": "viewPanel"}.get(key, key)
        if value is None:
            q.pop(key, None)
        else:
            q[key] = value
    return q.urlencode()


def _summary(var) -> str:
    """What a variable's closed picker shows: All, or the chosen labels (three at most, then +N)."""
    if not var["selected"]:
        return _("All")
    labels = {o["value"]: o["label"] for o in var["options"]}
    chosen = [labels.get(v, v) for v in var["selected"]]
    return ", ".join(chosen[:3]) + (f" +{len(chosen) - 3}" if len(chosen) > 3 else "")


@login_required
@require_GET
def dashboard_page(request, slug):
    dash = _dashboard(request, slug)
    ctx = make_ctx(request, dash)
    panel_key = request.GET.get("viewPanel")
    panels = [p for p in dash.panels if not panel_key or p.key == panel_key]
    if not panels:
        raise Http404
    refresh = request.GET.get("refresh", "")
    refresh = refresh if refresh_seconds(refresh) else ""
    kiosk = request.GET.get("kiosk", "")
    kiosk = kiosk if kiosk in ("tv", "full") else ""
    vars_ = variables.options_for(dash.variables, ctx)
    for v in vars_:
        v["summary"] = _summary(v)
    pref = getattr(request.user, "preference", None)
    back, fwd, out = ctx.tr.shifted(-1), ctx.tr.shifted(1), ctx.tr.zoomed_out()
    return render(request, "cabinet/dashboard.html", {
        "dash": dash, "panels": panels, "single": bool(panel_key), "tr": ctx.tr,
        "quick_ranges": QUICK_RANGES, "refresh_choices": REFRESH_CHOICES[1:], "refresh": refresh, "kiosk": kiosk,
        "refresh_s": refresh_seconds(refresh),
        "variables": vars_, "query": request.GET.urlencode(),
        "shift_back_qs": _query(request, **{"from": back[0], "to": back[1]}),
        "shift_fwd_qs": _query(request, **{"from": fwd[0], "to": fwd[1]}),
        "zoom_out_qs": _query(request, **{"from": out[0], "to": out[1]}),
        "leave_single_qs": _query(request, view_panel=None),
        "panel_items": [{"p": p, "view_qs": _query(request, view_panel=p.key)} for p in panels],
        "starred": bool(pref and slug in (pref.favourites or [])),
        "month_warning": any(p.monthly for p in panels) and ctx.tr.crosses_month(),
        "panels_meta": [{"key": p.key, "kind": p.kind, "unit": p.unit, "monthly": p.monthly} for p in panels],
        "prefetch": {"url": reverse("cabinet:panel-data", args=[slug, "PANEL"]), "keys": first_screen(panels),
                     "from": ctx.tr.raw_from, "to": ctx.tr.raw_to, "vars": [v["name"] for v in vars_]},
    })


FIRST_SCREEN_PX = 700  # of panel rows below the dashboard's controls: a laptop screen


def first_screen(panels) -> list[str]:
    """The panels a laptop screen shows first, laid out as the 12-column grid does (a row ends where the next
    panel does not fit): the page head asks for these at once, dashboard.js for the rest once they are drawn."""
    keys, x, top, row = [], 0, 0, 0
    for p in panels:
        if x + p.width > 12:
            x, top, row = 0, top + row + 60, 0  # 60: a panel's title bar and the grid gap
        if top >= FIRST_SCREEN_PX:
            break
        keys.append(p.key)
        x, row = x + p.width, max(row, p.height)
    return keys or [p.key for p in panels[:1]]


def _panel(request, slug, key):
    dash = _dashboard(request, slug)
    panel = dash.panel(key)
    if panel is None:
        raise Http404
    return dash, panel, make_ctx(request, dash)


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value))


@login_required
@require_GET
def panel_data(request, slug, key):
    dash, panel, ctx = _panel(request, slug, key)
    data = panel.query(ctx)
    data.setdefault("kind", panel.kind)
    data.setdefault("unit", panel.unit)
    data["range"] = {"from": ctx.tr.start.isoformat(), "to": ctx.tr.end.isoformat(), "tz": ctx.tz.key}
    if panel.monthly and ctx.tr.crosses_month():
        data.setdefault("notice", _("This metric is monthly: the chosen range cuts a calendar month."))
    return HttpResponse(json.dumps(data, default=_jsonable, ensure_ascii=False), content_type="application/json")


def _as_time(value):
    """An ISO string from a panel (or a datetime) as an aware datetime; anything else unchanged."""
    if isinstance(value, str):
        try:
            t = datetime.fromisoformat(value)
        except ValueError:
            return value
        return t if t.tzinfo else t.replace(tzinfo=timezone.get_default_timezone())
    return value


def table_of(panel, data) -> tuple[list[str], list[list]]:
    """A panel's data as header + rows: tables as they are, series as one row per (series, time); datetime
    columns and series times as datetimes (written on the user's wall clock)."""
    if "columns" in data:
        cols = [c for c in data["columns"] if c.get("type") != "actions"]  # buttons are not data
        conv = [_as_time if c.get("type") == "datetime" else (lambda v: v) for c in cols]
        return ([str(c["title"]) for c in cols],
                [[f(r.get(c["key"])) for f, c in zip(conv, cols)] for r in data["rows"]])
    if "series" in data:
        rows = [[s["name"], _as_time(x), y] for s in data["series"] for x, y in zip(s["x"], s["y"])]
        return [_("Series"), _("Time"), str(panel.unit or _("Value"))], rows
    return [str(panel.title)], [[data.get("value")]]


def sheet_title(title) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\ (a panel title may have them)."""
    clean = " ".join("".join(" " if ch in '[]:*?/\\' else ch for ch in str(title)).split()).strip("'")
    return clean[:31].rstrip() or "data"


def _cell(value, tz):
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None) if value.tzinfo else value
    return value


@login_required
@require_GET
def panel_export(request, slug, key, fmt):
    dash, panel, ctx = _panel(request, slug, key)
    header, rows = table_of(panel, panel.query(ctx))
    record(request, "export", object_type="panel", object_id=f"{slug}/{key}", object_repr=str(panel.title),
           changes={"format": fmt, "rows": len(rows), "from": ctx.tr.raw_from, "to": ctx.tr.raw_to})
    name = f"{slug}-{key}-{ctx.now.astimezone(ctx.tz):%Y%m%d-%H%M}"
    if fmt == "csv":
        buf = io.StringIO()
        out = csv.writer(buf)
        out.writerow(header)
        for row in rows:
            out.writerow([_cell(v, ctx.tz) for v in row])
        resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")  # BOM: Excel
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet_title(panel.title))
        ws.append(header)
        for row in rows:
            ws.append([_cell(v, ctx.tz) if not isinstance(v, (list, dict)) else json.dumps(v, ensure_ascii=False)
                       for v in row])
        buf = io.BytesIO()
        wb.save(buf)
        resp = HttpResponse(buf.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp


@login_required
@require_GET
def variable_options(request, slug):
    """Options of the dashboard's variables under the current choices (a client narrows the hosts)."""
    dash = _dashboard(request, slug)
    ctx = make_ctx(request, dash)
    return JsonResponse({"variables": variables.options_for(dash.variables, ctx)})
