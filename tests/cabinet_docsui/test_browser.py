"""The download controls in Chromium: the client card's documents and an installation's agent bundle form,
no console error; screenshots to $SMART_SCREENSHOT_DIR (default: the test's tmp dir)."""
import os
from pathlib import Path

import pytest
from cabinet.fixtures import assert_no_console_errors, sign_in


def shots(tmp_path) -> Path:
    path = Path(os.environ.get("SMART_SCREENSHOT_DIR") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.django_db(transaction=True)
def test_client_card_documents_download(world, page, live_url, tmp_path):
    client = world.a.branch_client
    sign_in(page, live_url, world.a.dealer_admin.username)
    page.goto(f"{live_url}/clients/{client.pk}/")
    section = page.locator("[data-client-documents]")
    assert section.is_visible()
    section.screenshot(path=str(shots(tmp_path) / "docsui-client-documents.png"))
    with page.expect_download() as dl:
        page.locator("[data-prolongation] button[data-format=xlsx]").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    inst = world.a.installations[client.slug]
    page.goto(f"{live_url}/installations/{inst.pk}/")
    page.select_option("[data-agent-bundle] select[name=os]", "linux")
    with page.expect_download() as dl:
        page.locator("[data-agent-bundle] button").click()
    assert dl.value.suggested_filename.endswith(".zip")
    page.locator("[data-inst-documents]").screenshot(path=str(shots(tmp_path) / "docsui-bundle.png"))
    assert_no_console_errors(page)
