"""Charts with many series, and the first load's early requests, in a real browser (dashboard.js, dashboard.html)."""
from urllib.parse import parse_qs, urlparse

import pytest

from cabinet.fixtures import assert_no_console_errors
from smart.cabinet.dashboards import REGISTRY, Dashboard, Panel, register

pytestmark = pytest.mark.django_db(transaction=True)
SLUG = "fw-many"
MANY = 150  # past the SVG legend's limit (LEGEND_SVG_MAX in dashboard.js) and the unified hover's
DRAWN = "window.SMART_DASH && window.SMART_DASH.drawn >= window.SMART_DASH.panels"


def q_many(ctx):
    xs = [(ctx.tr.start + (ctx.tr.end - ctx.tr.start) * i / 4).isoformat() for i in range(5)]
    return {"series": [{"name": f"series-{k:03d}", "x": xs, "y": [k + i for i in range(5)]} for k in range(MANY)]}


def q_few(ctx):
    xs = [ctx.tr.start.isoformat(), ctx.tr.end.isoformat()]
    return {"series": [{"name": name, "x": xs, "y": [1, 2]} for name in ("one", "two")]}


@pytest.fixture
def dash_url(live_url):
    register(Dashboard(SLUG, "Many series", [
        Panel("many", "Many series", "timeseries", q_many, width=12),
        Panel("few", "Two series", "timeseries", q_few, width=6),
    ], default_from="now-24h"))
    yield f"{live_url}/d/{SLUG}/"
    REGISTRY.pop(SLUG, None)


def _visible(page, key):
    return page.evaluate(f"window.SMART_DASH.charts[{key!r}].data"
                         ".map(d => d.visible === undefined || d.visible === true)")


def test_many_series_get_an_html_legend_with_the_same_clicks(page, dash_url, world, login_as):
    login_as(page, world.a.dealer_admin)
    page.goto(dash_url)
    page.wait_for_function(DRAWN)
    many = page.locator("[data-panel=many]")
    items = many.locator("[data-legend] [data-series]")
    assert items.count() == MANY and many.locator(".legend .traces").count() == 0  # no SVG legend
    assert items.nth(7).inner_text() == "series-007"
    # each entry shows its series' colour
    colour = page.evaluate("window.SMART_DASH.charts.many._fullData[7].line.color")
    assert items.nth(7).locator("i").evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert colour
    layout = page.evaluate("(() => { const l = window.SMART_DASH.charts.many.layout; "
                           "return [l.showlegend, l.hovermode, l.height]; })()")
    assert layout[0] is False and layout[1] == "closest"
    # the chart and its legend share the panel's height: the legend scrolls rather than pushing the chart out
    plot_h, legend_h, body_h = many.evaluate(
        "s => [s.querySelector('.chart-plot').offsetHeight, s.querySelector('[data-legend]').offsetHeight, "
        "s.querySelector('[data-body]').clientHeight]")
    assert plot_h + legend_h <= body_h + 1 and plot_h > 150 and layout[2] == plot_h
    assert many.locator("[data-legend]").evaluate("e => e.scrollHeight > e.clientHeight")

    items.nth(3).click()  # isolates
    assert _visible(page, "many") == [k == 3 for k in range(MANY)]
    assert items.nth(3).get_attribute("class") == "legend-item"
    assert "off" in items.nth(4).get_attribute("class")
    items.nth(5).click(modifiers=["Shift"])  # adds one
    assert _visible(page, "many") == [k in (3, 5) for k in range(MANY)]
    items.nth(5).click(modifiers=["Shift"])  # removes it again
    items.nth(3).click()  # the only visible one again: every series comes back
    assert all(_visible(page, "many")) and "off" not in items.nth(4).get_attribute("class")

    # a chart with few series keeps Plotly's legend and the unified hover
    few = page.locator("[data-panel=few]")
    assert few.locator(".legend .traces").count() == 2 and few.locator("[data-legend]").count() == 0
    assert page.evaluate("window.SMART_DASH.charts.few.layout.hovermode") == "x unified"
    assert_no_console_errors(page)


def test_first_load_asks_for_every_panel_once_with_the_completed_url(page, dash_url, world, login_as):
    login_as(page, world.a.dealer_admin)
    reqs = []
    page.on("request", lambda r: reqs.append(r.url) if "/panel/" in r.url else None)
    page.goto(dash_url)
    page.wait_for_function(DRAWN)
    assert sorted(urlparse(u).path.rsplit("/", 1)[1] for u in reqs) == ["few.json", "many.json"]
    shown = parse_qs(urlparse(page.url).query)  # the defaults are written into the address bar at once
    assert shown == {"from": ["now-24h"], "to": ["now"], "var-client": ["__all"], "var-host": ["__all"]}
    assert all(parse_qs(urlparse(u).query) == shown for u in reqs)  # and are in the panels' requests
    # asked for while the page was parsed, not after dashboard.js ran at its end
    early = page.evaluate("(() => { const nav = performance.getEntriesByType('navigation')[0]; "
                          "return performance.getEntriesByType('resource').filter(e => e.name.includes('/panel/'))"
                          ".map(e => e.startTime < nav.domInteractive); })()")
    assert early == [True, True]
    # the refresh button asks again (the early answers are used once)
    reqs.clear()
    page.click("[data-refresh-now]")
    page.wait_for_function("window.SMART_DASH.drawn >= 4")
    assert sorted(urlparse(u).path.rsplit("/", 1)[1] for u in reqs) == ["few.json", "many.json"]
    assert_no_console_errors(page)
