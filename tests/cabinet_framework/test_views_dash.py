"""The dashboard views and time ranges without a browser."""
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from smart.cabinet.dashboards import REGISTRY, Dashboard, Panel, register
from smart.cabinet.models import AuditEntry
from smart.cabinet.timerange import QUICK_RANGES, TimeRange
from smart.cabinet.views_dash import sheet_title

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 3, 15, 30, tzinfo=MSK)


@pytest.mark.parametrize("expr,expected", [
    ("now-5m", timedelta(minutes=5)), ("now-1h", timedelta(hours=1)), ("now-24h", timedelta(days=1)),
    ("now-7d", timedelta(days=7)), ("now-90d", timedelta(days=90)),
    ("now-6M", datetime(2026, 12, 3, 15, 30) - datetime(2026, 6, 3, 15, 30)),
    ("now-2y", datetime(2026, 12, 3) - datetime(2024, 12, 3)),
])
def test_quick_range_widths(expr, expected):
    tr = TimeRange.from_query(expr, "now", NOW, MSK)
    assert tr.end == NOW and tr.end - tr.start == expected and tr.is_quick


def test_every_quick_range_parses_and_zooms_out_to_a_larger_one():
    keys = [k for k, _ in QUICK_RANGES]
    widths = [(lambda t: t.end - t.start)(TimeRange.from_query(k, "now", NOW, MSK)) for k in keys]
    assert widths == sorted(widths) and keys[0] == "now-5m" and keys[-1] == "now-2y"
    for k, nxt in zip(keys, keys[1:] + keys[-1:]):
        assert TimeRange.from_query(k, "now", NOW, MSK).zoomed_out() == (nxt, "now")


def test_absolute_range_shift_zoom_and_garbage():
    tr = TimeRange.from_query("2026-11-01", "2026-11-10T12:00", NOW, MSK)
    assert tr.start == datetime(2026, 11, 1, tzinfo=MSK) and not tr.is_quick
    assert tr.shifted(-1) == ("2026-10-22T00:00", "2026-10-31T12:00")
    assert tr.zoomed_out() == ("2026-10-22T00:00", "2026-11-20T12:00")
    assert TimeRange.from_query("yesterday", "now", NOW, MSK, "now-7d").raw_from == "now-7d"
    swapped = TimeRange.from_query("now", "now-1h", NOW, MSK)
    assert swapped.start < swapped.end


@pytest.mark.parametrize("frm,to,cuts", [
    ("2026-11-01T00:00", "2026-12-01T00:00", False),  # exactly November
    ("2026-11-01T00:00", "2026-11-30T23:59", False),  # the calendar's whole days
    ("2026-09-01T00:00", "2026-12-01T00:00", False),  # three whole months
    ("2026-11-05T00:00", "2026-11-20T00:00", True),
    ("2026-11-01T00:00", "2026-11-20T00:00", True),
    ("2026-10-15T00:00", "2026-11-01T00:00", True),
])
def test_month_boundary(frm, to, cuts):
    assert TimeRange.from_query(frm, to, NOW, MSK).crosses_month() is cuts


def test_sheet_titles_excel_accepts():
    assert sheet_title("Загрузка: принято / отклонено [шт]") == "Загрузка принято отклонено шт"
    assert sheet_title("?*") == "data" and len(sheet_title("x" * 80)) == 31


@pytest.fixture
def colon_dashboard():
    def q(ctx):
        return {"columns": [{"key": "a", "title": "A: b", "type": "text"}], "rows": [{"a": "x"}]}

    register(Dashboard("fw-colon", "Colon: test", [Panel("p", "Accepted: rejected / total", "table", q)]))
    yield
    REGISTRY.pop("fw-colon", None)


def test_export_of_a_panel_whose_title_has_a_colon(world, colon_dashboard):
    c = Client()
    c.force_login(world.a.manager)
    r = c.get("/d/fw-colon/panel/p.xlsx?from=now-7d&to=now")
    assert r.status_code == 200 and r["Content-Disposition"].startswith('attachment; filename="fw-colon-p-')
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.title == "Accepted rejected total" and list(ws.values) == [("A: b",), ("x",)]
    entry = AuditEntry.objects.get(action="export")  # exports are audited (X14)
    assert entry.user == world.a.manager and entry.changes["format"] == "xlsx" and entry.changes["rows"] == 1


def test_page_controls_validate_their_input(world, colon_dashboard):
    c = Client()
    c.force_login(world.a.manager)
    page = c.get("/d/fw-colon/?refresh=0s&kiosk=evil").content.decode()
    assert 'data-refresh=""' in page and 'data-refresh-s="0"' in page and "kiosk-evil" not in page
    page = c.get("/d/fw-colon/?refresh=1d&kiosk=tv").content.decode()
    assert 'data-refresh-s="86400"' in page and "kiosk-tv" in page
    assert c.get("/d/fw-colon/?viewPanel=nope").status_code == 404
    assert c.get("/d/fw-colon/panel/nope.json").status_code == 404
    data = json.loads(c.get("/d/fw-colon/panel/p.json?from=2026-11-01&to=2026-11-02").content)
    assert data["range"] == {"from": "2026-11-01T00:00:00+03:00", "to": "2026-11-02T00:00:00+03:00",
                             "tz": "Europe/Moscow"}
