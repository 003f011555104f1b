"""The dashboard controls of A §1 in a real browser, on the test-only dashboard of conftest.py."""
import csv
import io
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from cabinet.fixtures import assert_no_console_errors
from smart.cabinet.models import Preference

from .conftest import SLUG, TABLE_ROWS

pytestmark = pytest.mark.django_db(transaction=True)
DRAWN = "window.SMART_DASH && window.SMART_DASH.drawn >= window.SMART_DASH.panels"


def _q(url):
    return parse_qs(urlparse(url).query)


def _open(page, url):
    page.goto(url)
    page.wait_for_function(DRAWN)


def _after_click(page, locator, url_part, **click):
    page.locator(locator).first.click(**click)
    page.wait_for_url(re.compile(url_part))
    page.wait_for_function(DRAWN)


def _panel_requests(page):
    reqs = []
    page.on("request", lambda r: reqs.append(r.url) if "/panel/" in r.url and ".json" in r.url else None)
    return reqs


@pytest.fixture
def dash_url(live_url, test_dashboard):
    return f"{live_url}/d/{SLUG}/"


@pytest.fixture
def admin(world, page, login_as):
    Preference.objects.create(user=world.a.dealer_admin, time_zone="Asia/Novosibirsk")
    login_as(page, world.a.dealer_admin)
    return world.a.dealer_admin


def test_quick_ranges_absolute_shift_and_zoom_out(page, dash_url, admin):
    _open(page, dash_url)
    q = _q(page.url)  # the defaults are written into the URL at once: a complete shareable link
    assert q["from"] == ["now-24h"] and q["to"] == ["now"] and q["var-client"] == ["__all"] and q["var-host"] == ["__all"]
    page.click("#range-picker summary")
    quick = page.locator("[data-quick]").evaluate_all("els => els.map(e => e.dataset.quick)")
    assert quick[0] == "now-5m" and quick[-1] == "now-2y" and len(quick) == 15
    # the searchable list
    page.fill("[data-quick-filter]", "мин")
    assert page.locator("[data-quick]:visible").count() == 3
    page.fill("[data-quick-filter]", "")

    reqs = _panel_requests(page)
    _after_click(page, "[data-quick='now-5m']", r"from=now-5m")
    assert page.locator("[data-range-label]").inner_text() == "Последние 5 минут"
    assert len(reqs) == 4 and all(_q(u)["from"] == ["now-5m"] for u in reqs)
    data = page.evaluate(f"fetch('/d/{SLUG}/panel/series.json' + location.search).then(r => r.json())")
    span = datetime.fromisoformat(data["range"]["to"]) - datetime.fromisoformat(data["range"]["from"])
    assert span == timedelta(minutes=5)

    _after_click(page, "[data-zoom-out]", r"from=now-15m")  # a quick range zooms out to the next quick range
    page.click("#range-picker summary")
    _after_click(page, "[data-quick='now-2y']", r"from=now-2y")
    data = page.evaluate(f"fetch('/d/{SLUG}/panel/series.json' + location.search).then(r => r.json())")
    start, end = (datetime.fromisoformat(data["range"][k]) for k in ("from", "to"))
    assert (end.year - start.year, end.month, end.day) == (2, start.month, start.day)

    # absolute range with Apply, in the user's zone (Novosibirsk, while the browser runs in UTC)
    page.click("#range-picker summary")
    page.fill("[data-abs-range] input[name=from]", "2026-11-01T00:00")
    page.fill("[data-abs-range] input[name=to]", "2026-11-10T00:00")
    reqs.clear()
    _after_click(page, "[data-abs-range] button[type=submit]", r"from=2026-11-01")
    assert {(_q(u)["from"][0], _q(u)["to"][0]) for u in reqs} == {("2026-11-01T00:00", "2026-11-10T00:00")}
    assert page.locator("[data-panel=table] tbody tr").first.locator("td").nth(2).inner_text() == "01.11.2026, 00:00"
    # remembered among the recently used ranges
    page.click("#range-picker summary")
    assert "2026-11-01T00:00 — 2026-11-10T00:00" in page.locator("[data-recent-ranges]").inner_text()
    page.keyboard.press("Escape")

    # shift back and forward by 10 days (a custom range), zoom out by 10 days at each end
    _after_click(page, "[data-shift=back]", r"from=2026-10-22")
    assert _q(page.url)["to"] == ["2026-10-31T00:00"]
    _after_click(page, "[data-shift=fwd]", r"from=2026-11-01")
    _after_click(page, "[data-zoom-out]", r"from=2026-10-22")
    assert _q(page.url)["to"] == ["2026-11-20T00:00"]
    assert _q(page.url)["var-client"] == ["__all"]  # the variables survive every range change
    assert_no_console_errors(page)


def test_drag_to_zoom_requeries_every_panel(page, dash_url, admin):
    _open(page, dash_url + "?from=2026-11-01T00:00&to=2026-11-03T00:00")
    box = page.locator("[data-panel=series] .nsewdrag").bounding_box()
    reqs = _panel_requests(page)
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.25, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=8)
    page.mouse.move(box["x"] + box["width"] * 0.75, y, steps=8)
    page.mouse.up()
    page.wait_for_url(lambda u: _q(u)["from"] != ["2026-11-01T00:00"])
    page.wait_for_function(DRAWN)
    frm, to = _q(page.url)["from"][0], _q(page.url)["to"][0]
    tz = ZoneInfo("Asia/Novosibirsk")
    start, end = datetime.fromisoformat(frm).replace(tzinfo=tz), datetime.fromisoformat(to).replace(tzinfo=tz)
    # the middle half of a two-day range: about 12 h to 36 h after the start
    assert abs((start - datetime(2026, 11, 1, 12, tzinfo=tz)).total_seconds()) < 3 * 3600
    assert abs((end - datetime(2026, 11, 2, 12, tzinfo=tz)).total_seconds()) < 3 * 3600
    keys = {urlparse(u).path.rsplit("/", 1)[1] for u in reqs}
    assert keys == {"series.json", "bars.json", "table.json", "stat.json"}
    assert all((_q(u)["from"][0], _q(u)["to"][0]) == (frm, to) for u in reqs)
    chart_range = page.evaluate("document.querySelector('[data-panel=series] .js-plotly-plot').layout.xaxis.range")
    assert chart_range[0].startswith(frm.replace("T", " "))


def test_variables_multiselect_with_all(page, dash_url, admin, world):
    _open(page, dash_url)
    stat = page.locator("[data-panel=stat] .stat-value")
    assert stat.inner_text() == "3"  # all three clients' installations
    box = page.locator("[data-var=client]")
    assert box.locator("summary").inner_text() == "Все"
    box.locator("summary").click()
    assert box.locator("[data-var-all]").is_checked()
    c1, c2 = world.a.branch_client, world.a.other_manager_client
    assert sorted(box.locator("input[name=var-client]").evaluate_all("e => e.map(x => x.value)")) == sorted(
        str(c.pk) for c in world.a.clients)  # never dealer B's clients
    box.locator(f"input[value='{c1.pk}']").check()
    assert not box.locator("[data-var-all]").is_checked()
    box.locator(f"input[value='{c2.pk}']").check()
    page.wait_for_timeout(100)
    box.locator("[data-var-apply]").click()
    page.wait_for_url(re.compile(f"var-client={c1.pk}"))
    page.wait_for_function(DRAWN)
    assert sorted(_q(page.url)["var-client"]) == sorted([str(c1.pk), str(c2.pk)])
    assert stat.inner_text() == "2"
    # the client choice narrows the host options
    hosts = page.locator("[data-var=host] input[name=var-host]").evaluate_all("e => e.map(x => x.value)")
    assert sorted(hosts) == sorted(str(world.a.installations[c.slug].pk) for c in (c1, c2))
    # back to All: kept in the URL as __all, closing the picker applies it
    box = page.locator("[data-var=client]")
    box.locator("summary").click()
    box.locator("[data-var-all]").check()
    assert not box.locator(f"input[value='{c1.pk}']").is_checked()
    page.keyboard.press("Escape")  # closing the picker applies the choice
    page.wait_for_url(re.compile("var-client=__all"))
    page.wait_for_function(DRAWN)
    assert _q(page.url)["var-client"] == ["__all"] and stat.inner_text() == "3"


def test_auto_refresh_refetches(page, dash_url, admin):
    _open(page, dash_url)
    choices = page.locator("[data-refresh-select] option").evaluate_all("e => e.map(x => x.value)")
    assert choices == ["", "5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"]
    page.select_option("[data-refresh-select]", "5s")
    page.wait_for_url(re.compile("refresh=5s"))
    page.wait_for_function(DRAWN)
    reqs = _panel_requests(page)
    page.wait_for_function("window.SMART_DASH.drawn >= 8", timeout=9000)  # every panel again after 5 s
    assert {urlparse(u).path.rsplit("/", 1)[1] for u in reqs} == {"series.json", "bars.json", "table.json",
                                                                  "stat.json"}
    # garbage is ignored rather than refreshing in a loop
    _open(page, dash_url + "?refresh=0s")
    assert page.locator("[data-refresh-select]").input_value() == ""
    page.wait_for_timeout(1500)
    assert page.evaluate("window.SMART_DASH.drawn") == 4


def test_single_panel_and_kiosk_modes_with_escape(page, dash_url, admin):
    _open(page, dash_url)
    page.click("[data-collapse-top]")  # the chevron folds the variables away, and is remembered
    assert not page.locator(".dash-vars").is_visible() and page.locator("#range-picker").is_visible()
    _open(page, dash_url)
    assert not page.locator(".dash-vars").is_visible()
    page.click("[data-collapse-top]")
    assert page.locator(".dash-vars").is_visible()
    _after_click(page, "[data-panel=series] a[data-view]", r"viewPanel=series")
    assert page.locator("[data-panel]").count() == 1
    page.keyboard.press("Escape")
    page.wait_for_url(lambda u: "viewPanel" not in u)
    page.wait_for_function(DRAWN)
    assert page.locator("[data-panel]").count() == 4

    _after_click(page, "[data-kiosk]", r"kiosk=tv")
    assert not page.locator(".topbar").is_visible() and not page.locator(".sidenav").is_visible()
    assert page.locator(".dash-title").is_visible() and page.locator("#range-picker").is_visible()
    assert not page.locator(".dash-vars").is_visible()
    _after_click(page, "[data-kiosk]", r"kiosk=full")
    assert not page.locator(".dash-top").is_visible() and page.locator("[data-panel=table]").is_visible()
    page.keyboard.press("Escape")
    page.wait_for_url(lambda u: "kiosk" not in u)
    page.wait_for_function(DRAWN)
    assert page.locator(".topbar").is_visible() and page.locator(".dash-vars").is_visible()


def _visible(page):
    return page.evaluate("window.SMART_DASH.charts.series.data.map(d => d.visible === undefined ? true : d.visible)")


def test_legend_click_isolates_and_shift_click_adds(page, dash_url, admin):
    _open(page, dash_url)
    items = page.locator("[data-panel=series] .legend .traces")
    assert items.count() == 3
    items.nth(1).click()
    page.wait_for_timeout(200)
    assert _visible(page) == ["legendonly", True, "legendonly"]
    items.nth(2).click(modifiers=["Shift"])
    page.wait_for_timeout(200)
    assert _visible(page) == ["legendonly", True, True]
    items.nth(2).click(modifiers=["Shift"])
    page.wait_for_timeout(200)
    assert _visible(page) == ["legendonly", True, "legendonly"]
    items.nth(1).click()  # the only visible one again: every series comes back
    page.wait_for_timeout(200)
    assert _visible(page) == [True, True, True]


def _rows(page):
    return page.locator("[data-panel=table] tbody tr")


def test_table_sort_filter_pages_and_full_text(page, dash_url, admin):
    _open(page, dash_url)
    table = page.locator("[data-panel=table]")
    assert _rows(page).count() == 50 and "1 / 3" in table.locator(".pager").inner_text()
    assert table.locator(".table-bar").inner_text().startswith(f"{TABLE_ROWS}")
    table.locator("th[data-key=value]").click()
    assert _rows(page).first.locator("td").nth(1).inner_text() == "0"
    table.locator("th[data-key=value]").click()
    top = max(range(TABLE_ROWS), key=lambda i: (i * 37) % 120)
    assert _rows(page).first.locator("td").first.inner_text() == f"row-{top:03d}"
    table.locator("th[data-key=name]").click()
    table.locator(".pager button[data-page='1']").click()
    assert "2 / 3" in table.locator(".pager").inner_text()
    assert _rows(page).first.locator("td").first.inner_text() == "row-050"
    table.locator("[data-table-filter]").fill("row-11")
    names = _rows(page).locator("td:first-child").all_inner_texts()
    assert names == [f"row-{i}" for i in range(110, 120)]
    assert table.locator(".pager").inner_text() == ""  # one page left
    note = _rows(page).first.locator("td").nth(3)
    assert note.get_attribute("title") == "row 110 " + "a very long explanatory text that a narrow column cannot show " * 2
    assert note.evaluate("e => e.scrollWidth > e.clientWidth")  # cut on screen, whole on hover


def test_csv_and_xlsx_export_follow_the_view(page, dash_url, admin, tmp_path):
    _open(page, dash_url + "?from=2026-11-01T00:00&to=2026-11-10T00:00")
    with page.expect_download() as dl:
        page.locator("[data-panel=table] [data-export=csv]").click()
    path = tmp_path / "t.csv"
    dl.value.save_as(path)
    assert dl.value.suggested_filename.startswith(f"{SLUG}-table-") and dl.value.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Name", "Value", "When", "Note"] and len(rows) == TABLE_ROWS + 1
    assert rows[1][:2] == ["row-000", "0"]
    with page.expect_download() as dl:
        page.locator("[data-panel=table] [data-export=xlsx]").click()
    xpath = tmp_path / "t.xlsx"
    dl.value.save_as(xpath)
    ws = load_workbook(xpath).active
    values = list(ws.values)
    assert values[0] == ("Name", "Value", "When", "Note") and len(values) == TABLE_ROWS + 1
    assert values[2][0] == "row-001" and values[2][1] == 37
    # datetime columns become spreadsheet dates on the user's wall clock (Novosibirsk), not the server's zone
    assert values[1][2] == datetime(2026, 11, 1, 0, 0) and values[3][2] == datetime(2026, 11, 1, 2, 0)
    assert rows[1][2] == "2026-11-01 00:00:00"
    with page.expect_download() as dl:
        page.locator("[data-panel=series] [data-export=xlsx]").click()
    dl.value.save_as(xpath)
    values = list(load_workbook(xpath).active.values)
    assert len(values) == 1 + 3 * 49 and {v[0] for v in values[1:]} == {"alpha", "beta", "gamma"}


def test_times_in_user_zone_with_zone_named(page, dash_url, admin):
    _open(page, dash_url + "?from=2026-11-01T00:00&to=2026-11-03T00:00")
    assert "Asia/Novosibirsk" in page.locator("footer [data-tz]").inner_text()
    page.click("#range-picker summary")
    assert page.locator("[data-range-tz]").inner_text() == "Asia/Novosibirsk"
    assert _rows(page).nth(5).locator("td").nth(2).inner_text() == "01.11.2026, 05:00"
    chart_range = page.evaluate("window.SMART_DASH.charts.series.layout.xaxis.range")
    assert chart_range == ["2026-11-01 00:00:00", "2026-11-03 00:00:00"]


def test_month_boundary_warning(page, dash_url, admin):
    _open(page, dash_url + "?from=2026-11-01T00:00&to=2026-12-01T00:00")
    assert page.locator("[data-month-warning]").count() == 0
    assert page.locator("[data-panel=stat] .panel-notice").is_hidden()
    _open(page, dash_url + "?from=2026-11-05T00:00&to=2026-11-20T00:00")
    assert page.locator("[data-month-warning]").is_visible()
    assert "месяц" in page.locator("[data-panel=stat] .panel-notice").inner_text()
    assert page.locator("[data-panel=series] .panel-notice").is_hidden()  # not a monthly panel


def test_mobile_side_navigation_toggle(new_page, dash_url, world, login_as):
    page = new_page(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
    login_as(page, world.a.dealer_admin)
    _open(page, dash_url)
    nav = page.locator("#sidenav")
    assert not nav.is_visible()
    page.click("[data-toggle-nav]")
    assert nav.is_visible() and page.locator("[data-toggle-nav]").get_attribute("aria-expanded") == "true"
    assert nav.locator(f"a[href='/d/{SLUG}/']").is_visible()
    page.screenshot(path="/tmp/fw-mobile.png")
    page.keyboard.press("Escape")
    assert not nav.is_visible()
    page.click("[data-toggle-nav]")
    page.mouse.click(370, 600)  # outside the drawer
    assert not nav.is_visible()
    # the panels stack in one column
    widths = page.locator("[data-panel]").evaluate_all("e => e.map(x => x.getBoundingClientRect().width)")
    assert min(widths) > 300


def test_desktop_side_navigation_hides_and_remembers(page, dash_url, admin):
    _open(page, dash_url)
    nav = page.locator("#sidenav")
    assert nav.is_visible()
    page.click("[data-toggle-nav]")
    assert not nav.is_visible()
    _open(page, dash_url)
    assert not nav.is_visible()
    page.click("[data-toggle-nav]")
    assert nav.is_visible()


def test_undocked_navigation_opens_over_the_page_and_docks_back(page, dash_url, admin):
    _open(page, dash_url)
    nav, dock = page.locator("#sidenav"), page.locator("[data-dock-nav]")
    assert nav.is_visible() and dock.inner_text() == "Открепить меню"
    content_left = page.locator("main.content").bounding_box()["x"]
    assert content_left >= nav.bounding_box()["width"]  # docked: the content starts right of the menu
    dock.click()
    assert not nav.is_visible()
    _open(page, dash_url)  # remembered across pages
    assert not nav.is_visible()
    assert page.locator("main.content").bounding_box()["x"] < content_left  # the content takes the width
    page.click("[data-toggle-nav]")
    assert nav.is_visible()
    assert nav.evaluate("el => getComputedStyle(el).position") == "fixed"  # over the page, not beside it
    page.keyboard.press("Escape")
    assert not nav.is_visible()
    page.click("[data-toggle-nav]")
    assert dock.inner_text() == "Закрепить меню"
    dock.click()  # docked again: pinned on the left
    assert nav.is_visible() and nav.evaluate("el => getComputedStyle(el).position") != "fixed"
    _open(page, dash_url)
    assert nav.is_visible()
