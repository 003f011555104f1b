"""Every business dashboard opened in Chromium with data: all panels drawn, no panel error, no console error."""
import pytest

from smart.cabinet.dashboards import REGISTRY

from .test_access import MINE, RANGE

pytestmark = pytest.mark.usefixtures("everywhere")


@pytest.mark.parametrize("slug", MINE)
def test_dashboard_draws_every_panel(page, live_url, login_as, world, slug):
    login_as(page, world.a.dealer_admin)
    page.goto(f"{live_url}/d/{slug}/{RANGE}")
    n = len(REGISTRY[slug].panels)
    page.wait_for_function(f"window.SMART_DASH && window.SMART_DASH.drawn + window.SMART_DASH.errors.length === {n}")
    assert page.evaluate("window.SMART_DASH.errors") == []
    assert page.evaluate("window.SMART_DASH.drawn") == n
    # charts with data are drawn as plots, not as "no data"
    assert page.locator(".panel .js-plotly-plot").count() >= 1 or REGISTRY[slug].panels[0].kind == "table"
    page.screenshot(path=f"/tmp/bizinst-{slug}.png", full_page=True)
