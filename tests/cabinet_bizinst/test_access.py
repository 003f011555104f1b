"""Who sees the business dashboards: pages and every panel answer for a dealer admin and a manager, technicians
get 404 (disk space is technical: they see it), and a manager never sees another manager's client anywhere."""
import json

import pytest
from django.test import Client as HttpClient

from smart.cabinet.dashboards import REGISTRY

BUSINESS = ["managers", "kodeks-analytics", "search-queries", "user-cards", "kassist", "ad-stats"]
MINE = BUSINESS + ["disk-space"]
RANGE = "?from=2026-10-20&to=2026-11-20T15:00"


def http(user_):
    c = HttpClient()
    c.force_login(user_)
    return c


@pytest.mark.parametrize("slug", MINE)
def test_page_and_every_panel_answer_for_admin_and_manager(everywhere, slug):
    world = everywhere
    for person in (world.a.dealer_admin, world.a.manager, world.a.head):
        c = http(person)
        page = c.get(f"/d/{slug}/{RANGE}")
        assert page.status_code == 200, (slug, person)
        for p in REGISTRY[slug].panels:
            r = c.get(f"/d/{slug}/panel/{p.key}.json{RANGE}")
            assert r.status_code == 200, (slug, p.key, person)
            assert r.json()["kind"] == p.kind
    for p in REGISTRY[slug].panels[:1]:
        assert http(world.a.dealer_admin).get(f"/d/{slug}/panel/{p.key}.xlsx{RANGE}").status_code == 200


@pytest.mark.parametrize("slug", BUSINESS)
def test_technicians_do_not_see_business_dashboards(everywhere, slug):
    c = http(everywhere.a.technician)
    assert c.get(f"/d/{slug}/").status_code == 404
    assert c.get(f"/d/{slug}/panel/{REGISTRY[slug].panels[0].key}.json").status_code == 404


def test_technicians_see_disk_space(everywhere):
    assert http(everywhere.a.technician).get("/d/disk-space/panel/low.json").status_code == 200


@pytest.mark.parametrize("slug", MINE)
def test_a_manager_sees_only_their_clients_in_every_panel(everywhere, slug):
    world = everywhere
    c = http(world.a.manager)
    mine = world.a.installations["zavod-a"].name
    foreign = [s for s in ("bank-a", "shkola-a", "zavod-b", "bank-b", "shkola-b")]
    texts = []
    for p in REGISTRY[slug].panels:
        for extra in ("", "&var-domain=DOM-zavod-a", "&var-client=%d" % world.a.other_manager_client.pk):
            body = c.get(f"/d/{slug}/panel/{p.key}.json{RANGE}{extra}").content.decode()
            texts.append(body)
            for name in foreign:
                assert name not in body, (slug, p.key, extra, name)
            for other in (world.a.other_manager_client, world.a.unmanaged_client, world.b.branch_client):
                assert other.display_name not in body and other.legal_name not in body, (slug, p.key, other)
    assert any(mine in t or "zavod-a" in t or world.a.branch_client.display_name in t for t in texts), slug


def test_the_admin_sees_all_three_clients(everywhere):
    rows = http(everywhere.a.dealer_admin).get(f"/d/managers/panel/client-params.json{RANGE}").json()["rows"]
    assert sorted(r["client"] for r in rows) == sorted(c.legal_name for c in everywhere.a.clients)
    manager_rows = http(everywhere.a.manager).get(f"/d/managers/panel/client-params.json{RANGE}").json()["rows"]
    assert [r["client"] for r in manager_rows] == [everywhere.a.branch_client.legal_name]


def test_page_is_russian_and_has_every_panel(everywhere):
    html = http(everywhere.a.manager).get(f"/d/managers/{RANGE}").content.decode()
    for title in ("Для менеджеров", "Параметры клиентов", "Процент реальной вовлечённости в текущем месяце",
                  "Процент заполненных карточек заходивших в систему пользователей"):
        assert title in html
    assert html.count("data-panel=") == 16
    assert json.loads(http(everywhere.a.manager).get("/d/kodeks-analytics/panel/db-requests.json").content)["kind"]
