"""The downloads are offered where people work (health card, home page, prolongation dashboard), to the roles
the download views admit and to nobody else; every offered link is followed and must deliver its file."""
import io
import re
import zipfile
from datetime import date, timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from smart.cabinet.docs_links import previous_month
from smart.registry.models import IngestToken

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def browser_for(user):
    c = Client()
    c.force_login(user)
    return c


def hrefs(html: str, marker: str) -> list[str]:
    """The href of every <a> carrying `marker` (a data- attribute)."""
    return [unescape(m.group(1)) for m in re.finditer(r'<a[^>]*href="([^"]+)"[^>]*' + marker, html)]


def test_previous_month():
    assert previous_month(date(2026, 1, 15)) == date(2025, 12, 1)
    assert previous_month(date(2026, 3, 1)) == date(2026, 2, 1)


@pytest.mark.parametrize("role,offered", [("technician", True), ("dealer_admin", True), ("head", True),
                                          ("manager", False)])
def test_agent_bundle_and_upload_on_installation_card(world, role, offered):
    inst = world.a.installations[world.a.branch_client.slug]
    user = world.user("a", role)
    c = browser_for(user)
    html = c.get(f"/installations/{inst.pk}/").content.decode()
    assert (f'action="/agent/{inst.pk}/bundle.zip"' in html) is offered
    assert (f'href="/installations/{inst.pk}/upload/"' in html) is offered
    if not offered:
        assert c.post(f"/agent/{inst.pk}/bundle.zip", {"os": "linux"}).status_code in (403, 404)
        return
    form = html.split("data-agent-bundle", 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form and 'value="windows"' in form and 'value="linux"' in form
    before = IngestToken.objects.filter(installation=inst).count()
    r = c.post(f"/agent/{inst.pk}/bundle.zip", {"os": "linux"})
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert IngestToken.objects.filter(installation=inst).count() == before + 1
    assert c.get(f"/installations/{inst.pk}/upload/").status_code == 200


@pytest.mark.parametrize("role,business", [("dealer_admin", True), ("head", True), ("manager", True),
                                           ("technician", False)])
def test_client_documents_on_client_card(world, role, business):
    client = world.a.branch_client
    c = browser_for(world.user("a", role))
    html = c.get(f"/clients/{client.pk}/").content.decode()
    assert "Пакет для службы ИБ (PDF)" in html  # Russian by default (cabinet-docsui.po)
    pack = hrefs(html, "data-security-pack")
    assert pack == [f"/reports/clients/{client.pk}/security-pack.pdf"]
    r = c.get(pack[0])
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert ("data-prolongation" in html) is business
    assert ("data-search-export" in html) is business
    if not business:
        assert c.get(f"/reports/clients/{client.pk}/prolongation.xlsx").status_code == 403
        return
    year = timezone.localtime().year
    form = html.split("data-prolongation", 1)[1].split("</form>", 1)[0]
    assert f'formaction="/reports/clients/{client.pk}/prolongation.xlsx"' in form
    assert f'formaction="/reports/clients/{client.pk}/prolongation.pdf"' in form
    assert f'<option value="{year}" selected>' in form and 'name="comment"' in form
    r = c.get(f"/reports/clients/{client.pk}/prolongation.xlsx", {"year": year, "comment": "Продлить"})
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    r = c.get(f"/reports/clients/{client.pk}/prolongation.pdf", {"year": year - 1, "comment": ""})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    searches = {m: hrefs(html, f'data-searches="{m}"') for m in ("all-30", "empty-30", "all-90", "empty-90")}
    today = timezone.localdate()
    for key, [url] in searches.items():
        kind, days = key.split("-")
        assert f"from={today - timedelta(days=int(days)):%Y-%m-%d}" in url
        assert f"to={today + timedelta(days=1):%Y-%m-%d}" in url
        assert ("empty=1" in url) is (kind == "empty")
        r = c.get(url)
        assert r.status_code == 200 and r["Content-Type"] == XLSX
        load_workbook(io.BytesIO(r.content))


def test_foreign_client_card_offers_nothing(world):
    c = browser_for(world.a.manager)
    assert c.get(f"/clients/{world.b.branch_client.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["manager", "head", "dealer_admin", "technician", "operator"])
def test_portfolio_on_home(world, role):
    world.a.manager.branch = world.a.branch  # the head's branch: theirs; other_manager is outside it
    world.a.manager.save()
    user = world.user("a", role)
    c = browser_for(user)
    html = c.get("/").content.decode()
    month = previous_month(timezone.localdate()).strftime("%Y-%m")
    own = hrefs(html, "data-portfolio-own")
    others = hrefs(html, "data-portfolio-manager")
    if role in ("technician", "operator"):
        assert own == [] and others == [] and "data-portfolio" not in html
        return
    assert own == [f"/reports/managers/{user.pk}/portfolio.xlsx?month={month}"]
    expected = {"manager": set(),
                "head": {world.a.manager.pk},  # the branch's managers only
                "dealer_admin": {world.a.manager.pk, world.a.other_manager.pk}}[role]
    assert {int(re.search(r"/managers/(\d+)/", u).group(1)) for u in others} == expected
    for url in own + others:
        r = c.get(url)
        assert r.status_code == 200 and r["Content-Type"] == XLSX, url


def test_prolongation_dashboard_links(world):
    c = browser_for(world.a.manager)
    client = world.a.branch_client
    r = c.get("/d/prolongation/panel/documents.json", {"client": client.pk, "from": "2025-01-01", "to": "2026-01-01"})
    assert r.status_code == 200
    html = r.json()["html"]
    xlsx, pdf = hrefs(html.replace("'", '"'), "data-prolongation")
    assert xlsx == f"/reports/clients/{client.pk}/prolongation.xlsx?year=2025"
    assert pdf == f"/reports/clients/{client.pk}/prolongation.pdf?year=2025"
    assert c.get(xlsx).status_code == 200
