"""A long dashboard opens with the panels in view: their data is asked for from the page head, the panels below
once those are drawn (views_dash.first_screen, dashboard.js firstLoad)."""
import pytest

from cabinet.fixtures import assert_no_console_errors
from smart.cabinet.dashboards import REGISTRY, Dashboard, Panel, register
from smart.cabinet.views_dash import first_screen

SLUG = "fw-long"


def q_line(ctx):
    xs = [ctx.tr.start.isoformat(), ctx.tr.end.isoformat()]
    return {"series": [{"name": "one", "x": xs, "y": [1, 2]}]}


def test_first_screen_follows_the_12_column_rows():
    panels = [Panel(k, k, "timeseries", q_line, width=w, height=320)
              for k, w in (("a", 6), ("b", 6), ("c", 12), ("d", 12), ("e", 12))]
    # rows start at 0 (a, b), 380 (c), 760 (d: below the 700 px first screen)
    assert first_screen(panels) == ["a", "b", "c"]
    tall = [Panel("t", "t", "timeseries", q_line, width=12, height=900), *panels]
    assert first_screen(tall) == ["t"]


@pytest.fixture
def long_url(live_url):
    register(Dashboard(SLUG, "Long", [Panel(f"p{k}", f"Panel {k}", "timeseries", q_line, width=12, height=320)
                                      for k in range(6)], default_from="now-24h"))
    yield f"{live_url}/d/{SLUG}/"
    REGISTRY.pop(SLUG, None)


@pytest.mark.django_db(transaction=True)
def test_panels_below_the_first_screen_are_asked_for_after_the_ones_in_view_are_drawn(page, long_url, world,
                                                                                      login_as):
    login_as(page, world.a.dealer_admin)
    reqs = []
    page.on("request", lambda r: reqs.append(r.url) if "/panel/" in r.url else None)
    page.goto(long_url)
    page.wait_for_function("window.SMART_DASH && window.SMART_DASH.drawn >= window.SMART_DASH.panels")
    state = page.evaluate("({inView: window.SMART_DASH.inView, usable: window.SMART_DASH.usableAt, "
                          "drawn: window.SMART_DASH.drawnAt, height: window.innerHeight})")
    starts = page.evaluate("Object.fromEntries(performance.getEntriesByType('resource')"
                           ".filter(e => e.name.includes('/panel/'))"
                           ".map(e => [e.name.split('/panel/')[1].split('.json')[0], e.startTime]))")
    assert sorted(starts) == [f"p{k}" for k in range(6)] and len(reqs) == 6  # each asked for once
    tops = page.evaluate("Object.fromEntries([...document.querySelectorAll('[data-panel]')]"
                         ".map(s => [s.dataset.panel, s.getBoundingClientRect().top + window.scrollY]))")
    in_view = [k for k in sorted(starts) if tops[k] < state["height"]]
    assert 1 <= state["inView"] < 6 and len(in_view) <= state["inView"]
    assert state["usable"] is not None and state["usable"] <= state["drawn"]
    later = sorted(starts, key=starts.get)[state["inView"]:]
    assert later and all(k not in in_view for k in later)
    assert all(starts[k] >= state["usable"] - 1 for k in later)  # asked for once the first screen was drawn
    assert_no_console_errors(page)
