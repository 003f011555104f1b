"""The pages in Chromium: sign-in, no console error, drill-down, acknowledging, a phone's viewport.

Screenshots go to $SMART_SCREENSHOT_DIR (default: the test's tmp dir) to be looked at."""
import os
import re
from pathlib import Path

import pytest
from cabinet.fixtures import sign_in

from smart.alerts.models import Alert

from .scene import build

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def scene(world):
    return build(world)


def shots(tmp_path) -> Path:
    path = Path(os.environ.get("SMART_SCREENSHOT_DIR") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_dealer_admin_signs_in_to_the_home_page(scene, page, live_url):
    sign_in(page, live_url, scene.a.dealer_admin.username)
    assert page.url == live_url + "/"
    failing = page.locator('[data-states="1"] [data-state="failing"] b')
    assert failing.inner_text() == "2"
    assert page.locator("#urgent li.alert-item").count() == 3
    assert page.locator("#silent tr[data-silent]").count() == 3
    page.locator("#licences a", has_text="ZVEZDA-A").click()
    page.wait_for_url(re.compile(r"/installations/\d+/$"))
    assert page.locator("h1").inner_text() == "ZVEZDA-A"


def test_manager_signs_in_and_sees_their_clients_only(scene, page, live_url):
    sign_in(page, live_url, scene.a.manager.username)
    assert page.locator("#urgent li.alert-item").count() == 1
    body = page.locator("main").inner_text()
    assert "connection refused" in body and "servicing needed" not in body and "Банк-A-Рассвет" not in body


def test_drill_down_from_an_emergency_row_to_the_health_card(scene, page, live_url, login_as):
    login_as(page, scene.a.dealer_admin)
    page.goto(live_url + "/d/emergencies/")
    row = page.locator('[data-panel="emergencies"] tr', has_text="KodeksDBOperUpToOld")
    row.locator("td a", has_text=scene.a.branch_client.display_name).click()
    page.wait_for_url(f"{live_url}/installations/{scene.zvezda.pk}/")
    assert page.locator("h1").inner_text() == "ZVEZDA-A"
    assert page.locator(f'li[data-alert="{scene.alerts["zvezda_p3"].pk}"]').count() == 1


def test_acknowledge_on_the_health_card(scene, page, live_url, login_as):
    alert = scene.alerts["zvezda_p3"]
    login_as(page, scene.a.manager)
    page.goto(f"{live_url}/installations/{scene.zvezda.pk}/")
    page.locator(f'li[data-alert="{alert.pk}"] button[data-action="ack"]').click()
    page.wait_for_load_state()
    assert page.locator(f'li[data-alert="{alert.pk}"] [data-acknowledged]').count() == 1
    assert page.locator(".messages li").count() == 1
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == scene.a.manager.pk and alert.acknowledged_via == "ui" and alert.tta_s > 0


def test_acknowledge_and_snooze_in_the_emergencies_table(scene, page, live_url, login_as):
    p1, p2 = scene.alerts["zavod_p1"], scene.alerts["bank_p2"]
    login_as(page, scene.a.dealer_admin)
    page.goto(live_url + "/d/emergencies/")
    page.locator('[data-panel="emergencies"] tr', has_text="connection refused").locator(
        'button[data-action="ack"]').click()
    page.locator('[data-panel="emergencies"] tr', has_text="connection refused").locator(
        'button[data-action="unack"]').wait_for()
    page.locator('[data-panel="emergencies"] tr', has_text="servicing needed").locator(
        'button[data-action="snooze1h"]').click()
    page.locator('[data-panel="emergencies"] tr', has_text="servicing needed").locator(
        'button[data-action="unsnooze"]').wait_for()
    p1.refresh_from_db()
    p2.refresh_from_db()
    assert p1.acknowledged_by_id == scene.a.dealer_admin.pk and p1.acknowledged_via == "ui"
    assert p2.snoozed_until is not None and p2.acknowledged_at is None
    assert page.evaluate("window.SMART_DASH.errors") == []
    assert Alert.objects.filter(acknowledged_at__isnull=False).count() == 1


def test_home_and_health_card_on_a_phone(scene, new_page, live_url, login_as, tmp_path):
    page = new_page(viewport=PHONE)
    login_as(page, scene.a.dealer_admin)
    out = shots(tmp_path)
    for name, path in (("home", "/"), ("health-card", f"/installations/{scene.zvezda.pk}/"),
                       ("client-card", f"/clients/{scene.a.branch_client.pk}/")):
        page.goto(live_url + path)
        page.screenshot(path=str(out / f"phone-{name}.png"), full_page=True)
        # nothing wider than the phone: the page scrolls down, never sideways (tables scroll inside their box)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    ack = page.locator("button[data-action=ack]").first
    box = ack.bounding_box()
    assert box["height"] >= 28 and box["x"] + box["width"] <= PHONE["width"]  # a thumb can press it

