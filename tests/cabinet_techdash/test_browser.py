"""Each technical dashboard in a real browser: every panel drawn, no console error, and a new time range
redraws every panel. Screenshots go to $SMART_SCREENSHOTS (when set) for a look."""
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cabinet.fixtures import assert_no_console_errors, browser, live_url, login_as, new_page, page  # noqa: F401
from smart.cabinet.dashboards import REGISTRY

from .conftest import SLUGS, fill_world

pytestmark = pytest.mark.django_db(transaction=True)
DRAWN = "window.SMART_DASH && window.SMART_DASH.drawn >= window.SMART_DASH.panels"


def _state(pg):
    return pg.evaluate("({drawn: window.SMART_DASH.drawn, panels: window.SMART_DASH.panels,"
                       " errors: window.SMART_DASH.errors})")


def test_every_dashboard_draws_and_redraws(page, live_url, login_as, world):  # noqa: F811
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    fill_world(world, now - timedelta(hours=3))
    login_as(page, world["users"]["admin"])
    shots = os.environ.get("SMART_SCREENSHOTS")
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/panel/" in r.url else None)
    for slug in SLUGS:
        panels = len(REGISTRY[slug].panels)
        page.goto(f"{live_url}/d/{slug}/?from=now-6h&to=now")
        page.wait_for_function(DRAWN)
        state = _state(page)
        assert state["drawn"] == panels == state["panels"] and state["errors"] == [], (slug, state)
        charts = [p.key for p in REGISTRY[slug].panels if p.kind in ("timeseries", "bars")]
        for key in charts:  # each chart panel has a Plotly plot with data (the fill covers every panel)
            assert page.locator(f'[data-panel="{key}"] .js-plotly-plot').count() == 1, (slug, key)
        for key in [p.key for p in REGISTRY[slug].panels if p.kind == "table"]:
            assert page.locator(f'[data-panel="{key}"] table.data tbody tr').count() >= 1, (slug, key)
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shots}/{slug}.png", full_page=True)
        # a quick range from the picker: the page reloads with it and every panel is fetched and drawn again
        requests.clear()
        page.click("#range-picker summary")
        with page.expect_navigation():
            page.locator('[data-quick="now-24h"]').click()
        page.wait_for_function(DRAWN)
        state = _state(page)
        assert "from=now-24h" in page.url
        assert state["drawn"] == panels and state["errors"] == [], (slug, state)
        assert len([u for u in requests if "from=now-24h" in u]) == panels, (slug, requests)
        assert_no_console_errors(page)
