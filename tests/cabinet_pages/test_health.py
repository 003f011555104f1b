"""The health card (D R-C1) against what the scene uploaded and fired."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from smart.cabinet.views_health import DEPENDS, checks_of
from smart.ingest.models import Report
from smart.probes.models import CheckState

from .scene import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    return build(world)


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def fact(html: str, name: str) -> str:
    """The text of a `data-fact` cell, tags stripped."""
    import re

    cell = html.split(f'data-fact="{name}"', 1)[1].split(">", 1)[1].split("</dd>", 1)[0]
    return re.sub(r"<[^>]+>", "", cell).strip()


def test_installation_card_answers_is_it_ok(scene):
    r = client_for(scene.a.manager).get(f"/installations/{scene.zvezda.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    block = r.context["blocks"][0]
    report = Report.objects.get(pk=scene.report.pk)
    # the newest report: its own time (as uploaded), receipt time, source
    assert block["state"].report_time == scene.report_at
    assert block["state"].received_at == report.received_at
    local = scene.report_at.astimezone(timezone.get_default_timezone())
    assert fact(html, "report_time") == local.strftime("%d.%m.%Y %H:%M")
    assert fact(html, "source") in ("ручная загрузка", "manual upload")
    assert abs(block["report_age_s"] - (timezone.now() - report.received_at).total_seconds()) < 60
    # the status file's own time (its Date line), version and update number, seats, key
    assert block["state"].status_observed_at == scene.status_at
    assert fact(html, "version") == "6.4.5.50" and fact(html, "patch") == "12"
    assert fact(html, "seats") == "3 / 10" and fact(html, "key") == "ok"
    # operup: the test report's file was modified 5 h before the report
    expected_age = (timezone.now() - (scene.report_at - timedelta(hours=5))).total_seconds() / 3600
    assert abs(block["operup_age_h"] - expected_age) < 0.1 and not block["operup_stale"]
    # licences per product, soonest first, days left from today
    today = timezone.now().date()
    assert [(lic["product"], lic["expires_on"]) for lic in block["licences"]][:2] == [
        ("Кодекс: Охрана труда", scene.licence_end), ("Техэксперт: ГОСТы", scene.licence_end + timedelta(days=1))]
    assert block["licences"][0]["days_left"] == (scene.licence_end - today).days
    # alerts: the firing P3 with its actions, the one resolved two days ago below
    assert [row["alert"].pk for row in block["active"]] == [scene.alerts["zvezda_p3"].pk]
    assert [a for _label, a, _url in block["active"][0]["actions"]] == ["ack", "snooze1h", "snooze_morning"]
    assert [row["alert"].pk for row in block["resolved"]] == [scene.alerts["zvezda_resolved"].pk]
    assert block["verdict"] == "warning" and 'data-verdict="warning"' in html
    # the timeline: the server version change of the second report, and the resolved P1
    texts = [item["text"] for item in block["timeline"]]
    assert "server: 6.4.5.46 [12] → 6.4.5.50 [12]" in texts
    assert any(t.startswith("RESOLVED KodeksHttp200Status") for t in texts)
    # contacts of the client
    assert "Сисадмин Пётр" in html and "+7 900 000-00-01" in html and "AnyDesk 123 456 789" in html


def test_client_card_shows_every_object_of_the_client(scene):
    client = scene.a.branch_client
    r = client_for(scene.a.dealer_admin).get(f"/clients/{client.pk}/")
    assert r.status_code == 200
    names = [b["inst"].name for b in r.context["blocks"]]
    assert sorted(names) == sorted([scene.a.installations[client.slug].name, "ZVEZDA-A"])
    assert [o["access"].pk for o in r.context["online_blocks"]] == [scene.a.accesses[client.slug].pk]
    assert r.context["online_blocks"][0]["verdict"] == "ok"
    assert r.context["verdict"] == "failing"  # the worst of its objects: zavod's P1


def test_cards_of_others_are_not_found(scene):
    a, b = scene.a, scene.world.b
    manager = client_for(a.manager)
    assert manager.get(f"/installations/{a.installations[a.other_manager_client.slug].pk}/").status_code == 404
    assert manager.get(f"/clients/{a.other_manager_client.pk}/").status_code == 404
    assert manager.get(f"/installations/{scene.fresh.pk}/").status_code == 404
    admin = client_for(a.dealer_admin)
    assert admin.get(f"/installations/{b.installations[b.branch_client.slug].pk}/").status_code == 404
    assert admin.get(f"/clients/{b.branch_client.pk}/").status_code == 404
    assert client_for(scene.world.operator).get(f"/clients/{b.branch_client.pk}/").status_code == 200


def test_a_check_masked_by_another_says_why(scene):
    zavod = scene.a.installations[scene.a.branch_client.slug]
    now = timezone.now()
    for check, ok in (("Maintenance", False), ("key", False), ("tcp", True), ("icmp", None)):
        CheckState.objects.create(target_key=f"i{zavod.pk}:{check}", dealer=scene.a.dealer, installation=zavod,
                                  check_type=check, ok=ok, last_run_at=now)
    rows = {c["check"]: c for c in checks_of(CheckState.objects.filter(installation=zavod))}
    assert rows["Maintenance"]["status"] == "bad"
    maintenance_why = next(why for cause, _hidden, why in DEPENDS if cause == "Maintenance")
    assert rows["key"]["status"] == "unknown" and rows["key"]["why"] == maintenance_why  # E10, not red
    assert rows["tcp"]["status"] == "ok" and rows["icmp"]["status"] == "unknown"
    html = client_for(scene.a.manager).get(f"/installations/{zavod.pk}/").content.decode()
    assert 'class="check unknown" data-check="key"' in html and 'class="check bad" data-check="Maintenance"' in html
