"""Dashboard pages, panel data (JSON) and table exports (CSV, XLSX)."""
import csv
import io
import json
from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import variables
from .audit import record
from .context import user_zone
from .dashboards import REGISTRY, Ctx
from .timerange import QUICK_RANGES, REFRESH_CHOICES, TimeRange


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


@login_required
@require_GET
def dashboard_page(request, slug):
    dash = _dashboard(request, slug)
    ctx = make_ctx(request, dash)
    panel_key = request.GET.get("viewPanel")
    panels = [p for p in dash.panels if not panel_key or p.key == panel_key]
    return render(request, "cabinet/dashboard.html", {
        "dash": dash, "panels": panels, "single": bool(panel_key), "tr": ctx.tr,
        "quick_ranges": QUICK_RANGES, "refresh_choices": REFRESH_CHOICES[1:],
        "refresh": request.GET.get("refresh", ""), "kiosk": request.GET.get("kiosk", ""),
        "variables": variables.options_for(dash.variables, ctx),
        "shift_back": ctx.tr.shifted(-1), "shift_fwd": ctx.tr.shifted(1), "zoom_out": ctx.tr.zoomed_out(),
        "month_warning": any(p.monthly for p in panels) and ctx.tr.crosses_month(),
        "panels_json": json.dumps([{"key": p.key, "kind": p.kind, "unit": p.unit, "monthly": p.monthly}
                                   for p in panels]),
    })


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


def table_of(panel, data) -> tuple[list[str], list[list]]:
    """A panel's data as header + rows: tables as they are, series as one row per (series, time)."""
    if "columns" in data:
        cols = data["columns"]
        return [str(c["title"]) for c in cols], [[r.get(c["key"]) for c in cols] for r in data["rows"]]
    if "series" in data:
        rows = [[s["name"], x, y] for s in data["series"] for x, y in zip(s["x"], s["y"])]
        return [_("Series"), _("Time"), str(panel.unit or _("Value"))], rows
    return [str(panel.title)], [[data.get("value")]]


def _cell(value, tz):
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None)
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
        ws = wb.create_sheet(str(panel.title)[:31])
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
