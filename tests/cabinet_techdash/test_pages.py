"""Every technical dashboard renders for every role, its panels answer 200 JSON, and no panel ever shows an
installation or online access outside the user's scope."""
import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from smart.cabinet.dashboards import REGISTRY
from smart.metrics.models import (DbErrorEvent, DiskFree, InstallationState, SessionEvent, Snapshot, StatusSample,
                                  VersionEvent)
from smart.probes.models import CheckHourly
from smart.probes.results import Result
from smart.probes.store import Recorder

from .conftest import T0

SLUGS = ["server-metrics", "availability", "availability-online", "versions", "db-errors", "connected-users",
         "smart-status"]
ROLES = ["operator", "admin", "head", "tech", "ivanov", "petrov"]
H = timedelta(hours=1)
# what each installation's rows carry in a panel: its name, its client or its online host/login
MARKS = {"zavod": ("zavod.example", "Завод", "z1@"), "bank": ("BANK", "Банк", "b1@", "b2@"),
         "far": ("FAR", "Чужой", "f1@")}


@pytest.fixture
def filled(world):
    """Every panel's source filled for the three installations (one of them another dealer's)."""
    rec = Recorder()
    for name, inst in world["inst"].items():
        results = []
        for minute in range(0, 120, 5):
            at = T0 + timedelta(minutes=minute)
            maint = 30 <= minute < 45
            results += [
                Result(check="http200", ok=not maint, at=at, dealer_id=inst.dealer_id, installation_id=inst.id,
                       state="maintenance" if maint else "ok", code=503 if maint else 200),
                Result(check="tcp", ok=minute != 60, at=at, dealer_id=inst.dealer_id, installation_id=inst.id,
                       state="ok"),
            ]
        rec.record(results)
        for h in range(3):
            Snapshot.objects.create(installation=inst, report_time=T0 + h * H, month=T0.date())
            StatusSample.objects.create(installation=inst, observed_at=T0 + h * H, received_at=T0 + h * H, up=1,
                                        seats_used=h)
        DiskFree.objects.create(installation=inst, observed_at=T0 + H, path="/data", free_bytes=3 * 1024 ** 3)
        DbErrorEvent.objects.create(installation=inst, fingerprint="f", volume="v", message="Invalid protect string",
                                    first_seen=T0, last_seen=T0 + 2 * H)
        VersionEvent.objects.create(installation=inst, component="server", version="6.4.5.1", first_seen=T0,
                                    last_seen=T0 + 2 * H)
        InstallationState.objects.create(installation=inst, version="6.4.5.1", sysinfo_version="2.0.6.15",
                                         status_observed_at=T0 + 2 * H, status_values={"up": 1})
        SessionEvent.objects.create(installation=inst, login=f"user-{name}", started_at=T0, ip="10.0.0.1",
                                    first_seen=T0, last_seen=T0 + 2 * H)
    for name, access in world["online"].items():
        CheckHourly.objects.bulk_create(
            CheckHourly(target_key=f"o{access.pk}:billing", online_access=access, check_type="billing",
                        hour=T0 + h * H, total=1, ok=1) for h in range(3))
    return world


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
