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


def test_user_cards_search_box_narrows_the_cards(page, live_url, login_as, world):
    import re

    login_as(page, world.a.dealer_admin)
    page.goto(f"{live_url}/d/user-cards/{RANGE}")
    page.wait_for_function("window.SMART_DASH && window.SMART_DASH.drawn === 2")
    box = page.locator("[data-var-text=card_search]")
    box.fill("Иванов USER-OF")
    box.press("Enter")
    page.wait_for_url(re.compile("var-card_search="))
    page.wait_for_function("window.SMART_DASH && window.SMART_DASH.drawn === 2")
    logins = page.locator("[data-panel=cards] tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(logins) == [f"user-of-{slug}" for slug in sorted(world.a.installations)]
    assert page.locator("[data-var-text=card_search]").input_value() == "Иванов USER-OF"
    assert page.evaluate("window.SMART_DASH.errors") == []
