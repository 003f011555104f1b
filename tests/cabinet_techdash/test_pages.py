"""Every technical dashboard renders for every role, its panels answer 200 JSON, and no panel ever shows an
installation or online access outside the user's scope."""
import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from smart.cabinet.dashboards import REGISTRY

from .conftest import SLUGS, T0, fill_world

ROLES = ["operator", "admin", "head", "tech", "ivanov", "petrov"]
H = timedelta(hours=1)
# what each installation's rows carry in a panel: its name, its client or its online host/login
MARKS = {"zavod": ("zavod.example", "Завод", "z1@"), "bank": ("BANK", "Банк", "b1@", "b2@"),
         "far": ("FAR", "Чужой", "f1@")}


@pytest.fixture
def filled(world):
    return fill_world(world, T0)


def _range_qs(**extra):
    return urlencode({"from": T0.isoformat(), "to": (T0 + 3 * H).isoformat(), **extra})


def test_pages_and_panels_for_every_role(client, filled):
    for role in ROLES:
        client.force_login(filled["users"][role])
        for slug in SLUGS:
            page = client.get(f"/d/{slug}/?{_range_qs()}")
            assert page.status_code == 200, (role, slug)
            for panel in REGISTRY[slug].panels:
                assert f'data-panel="{panel.key}"' in page.content.decode()
                resp = client.get(f"/d/{slug}/panel/{panel.key}.json?{_range_qs()}")
                assert resp.status_code == 200, (role, slug, panel.key)
                assert resp["Content-Type"] == "application/json"
                json.loads(resp.content)
        assert client.get("/d/").status_code == 200


def _seen(client, slug, key, **extra) -> str:
    resp = client.get(f"/d/{slug}/panel/{key}.json?{_range_qs(**extra)}")
    assert resp.status_code == 200
    return resp.content.decode()


@pytest.mark.parametrize("role, mine, foreign", [
    ("ivanov", ["zavod"], ["bank", "far"]),
    ("petrov", ["bank"], ["zavod", "far"]),
    ("admin", ["zavod", "bank"], ["far"]),
    ("tech", ["zavod", "bank"], ["far"]),
    ("stranger", [], ["zavod", "bank"]),
])
def test_no_panel_leaks_outside_the_scope(client, filled, role, mine, foreign):
    client.force_login(filled["users"][role])
    everything = ""
    for slug in SLUGS:
        for panel in REGISTRY[slug].panels:
            text = _seen(client, slug, panel.key)
            for other in foreign:
                for mark in MARKS[other]:
                    assert mark not in text, (role, slug, panel.key, mark)
            everything += text
    for name in mine:  # and the user's own data is there (the test would pass vacuously otherwise)
        assert all(mark in everything for mark in MARKS[name][:2]), name
    # choosing a foreign host or client in the URL widens nothing
    far = filled["inst"]["far"]
    for slug in SLUGS:
        for panel in REGISTRY[slug].panels:
            text = _seen(client, slug, panel.key, **{"var-host": far.pk, "var-client": far.client_id})
            if role != "stranger":
                assert "FAR" not in text and "Чужой" not in text


def test_page_default_ranges_and_titles_in_russian(client, filled):
    client.force_login(filled["users"]["admin"])
    expected = {"server-metrics": "Время нештатного состояния сервера", "availability": "Доступность серверов",
                "availability-online": "Доступность серверов. Онлайн", "db-errors": "Ошибки БД",
                "connected-users": "Подключённые пользователи", "smart-status": "СМАРТ.Статус",
                "versions": "Контроль версий ПК, Kassist и других"}
    for slug, title in expected.items():
        html = client.get(f"/d/{slug}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        assert title in html, slug
    assert 'data-from="now-7d"' in client.get("/d/server-metrics/").content.decode()
    assert 'data-from="now-30d"' in client.get("/d/availability/").content.decode()
    assert 'data-from="now-24h"' in client.get("/d/availability-online/").content.decode()


def test_exports(client, filled):
    client.force_login(filled["users"]["admin"])
    resp = client.get(f"/d/availability/panel/port.csv?{_range_qs()}")
    assert resp.status_code == 200 and "zavod.example:80" in resp.content.decode("utf-8-sig")
    resp = client.get(f"/d/connected-users/panel/sessions.xlsx?{_range_qs()}")
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
