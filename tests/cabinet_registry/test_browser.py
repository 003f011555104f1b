"""In a real browser: a dealer admin imports managers.csv (CP1251, ';') through the preview and applies it.
With REGISTRY_SCREENSHOTS=<dir>, the main registry pages are also saved as PNGs to look at."""
import os
from pathlib import Path

from smart.registry.models import Installation, RegistryImport

from .test_import import managers_csv

PAGES = ["/registry/", "/registry/clients/", "/registry/installations/", "/registry/installations/new/",
         "/registry/tokens/", "/registry/users/", "/registry/routes/", "/registry/quarantine/", "/registry/audit/"]


def test_csv_import_through_the_preview(page, live_url, login_as, world, tmp_path):
    login_as(page, world.a.dealer_admin)
    csv_file = tmp_path / "dlra_manager_20261203.csv"
    csv_file.write_bytes(managers_csv())
    page.goto(live_url + "/registry/import/")
    page.set_input_files("#import-form input[type=file]", str(csv_file))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#summary")
    assert page.inner_text("[data-n=added]") == "2"
    assert page.inner_text("[data-n=changed]") == "1"
    assert page.inner_text("[data-n=errors]") == "0"
    assert page.locator("tr[data-op=add]").count() == 2
    assert "Предпросмотр импорта" in page.inner_text("h1")  # Russian by default
    assert not Installation.objects.filter(name="Zavod-Novy").exists()
    shots = os.environ.get("REGISTRY_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / "import_preview.png"), full_page=True)
    page.click("#apply")
    page.wait_for_selector(".messages li")
    assert "добавлено 2" in page.inner_text(".messages li")
    assert Installation.objects.get(name="Zavod-Novy").manager == world.a.manager
    assert RegistryImport.objects.get().added == 2
    assert page.locator("tr[data-import]").count() == 1
    if shots:
        for path in PAGES:
            page.goto(live_url + path)
            name = path.strip("/").replace("/", "_") or "registry"
            page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)
