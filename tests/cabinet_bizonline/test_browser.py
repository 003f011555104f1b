"""Each bizonline dashboard opened in Chromium with data: every panel drawn, no panel error, no console error."""
import pytest

from cabinet.fixtures import browser, live_url, login_as, new_page, page  # noqa: F401

from smart.cabinet.dashboards import REGISTRY

from .showcase import RANGES, build


@pytest.fixture
def shown(transactional_db, world):
    build(world)
    return world


@pytest.mark.parametrize("slug", list(RANGES))
def test_dashboard_draws_every_panel(page, live_url, login_as, shown, slug):  # noqa: F811
    login_as(page, shown.admin)
    page.goto(f"{live_url}/d/{slug}/{RANGES[slug]}")
    n = len(REGISTRY[slug].panels)
    page.wait_for_function(f"window.SMART_DASH && window.SMART_DASH.drawn + window.SMART_DASH.errors.length === {n}")
    assert page.evaluate("window.SMART_DASH.errors") == []
    assert page.evaluate("window.SMART_DASH.drawn") == n
    assert page.locator(".panel .error").count() == 0
    charts = [p for p in REGISTRY[slug].panels if p.kind in ("timeseries", "bars")]
    assert page.locator(".panel .js-plotly-plot").count() == len(charts)  # every chart has data to plot
    page.screenshot(path=f"/tmp/bizonline-{slug}.png", full_page=True)
