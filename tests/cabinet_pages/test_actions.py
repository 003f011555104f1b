"""Acknowledge and snooze from the health card and from the emergencies table change the Alert; nobody acts
on an alert they cannot see."""
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from smart.alerts.models import Alert
from smart.cabinet.models import AuditEntry

from .scene import build, fire

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    return build(world)


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_acknowledge_from_the_health_card(scene):
    alert = scene.alerts["zvezda_p3"]
    card = f"/installations/{scene.zvezda.pk}/"
    before = timezone.now()
    r = client_for(scene.a.manager).post(f"/alerts/{alert.pk}/ack/", {"next": card})
    assert r.status_code == 302 and r["Location"] == card
    alert.refresh_from_db()
    assert alert.acknowledged_by == scene.a.manager and alert.acknowledged_via == "ui"
    assert before <= alert.acknowledged_at <= timezone.now()
    assert alert.tta_s == pytest.approx((alert.acknowledged_at - alert.fired_at).total_seconds())
    assert AuditEntry.objects.filter(action="alert_ack", object_id=str(alert.pk), user=scene.a.manager).exists()
    page = client_for(scene.a.manager).get(card).content.decode()
    assert "data-acknowledged" in page and f'/alerts/{alert.pk}/unack/' in page  # the card now offers the undo


def test_snooze_and_wake(scene):
    alert = scene.alerts["zavod_p1"]
    c = client_for(scene.a.dealer_admin)
    c.post(f"/alerts/{alert.pk}/snooze1h/")
    alert.refresh_from_db()
    assert abs((alert.snoozed_until - timezone.now() - timedelta(hours=1)).total_seconds()) < 30
    assert alert.acknowledged_at is None  # snoozing is not acknowledging
    c.post(f"/alerts/{alert.pk}/unsnooze/")
    alert.refresh_from_db()
    assert alert.snoozed_until is None


def test_a_grouped_row_acts_on_every_alert_of_it(scene):
    zvezda = scene.zvezda
    vols = [fire("KodeksDBerrorsCode2007", zvezda, scene.now - timedelta(minutes=5), "P2", "K2", detail=f"vol {v}",
                 key=f"i{zvezda.pk}|vol:{v}", installation_id=zvezda.pk) for v in ("A", "B", "C")]
    r = client_for(scene.a.manager).get(f"/installations/{zvezda.pk}/")
    rows = [row for row in r.context["blocks"][0]["active"] if row["alert"].rule == "KodeksDBerrorsCode2007"]
    assert len(rows) == 1 and rows[0]["count"] == 3
    first, also = rows[0]["alert"], rows[0]["also"]
    client_for(scene.a.manager).post(f"/alerts/{first.pk}/ack/", {"also": also})
    assert Alert.objects.filter(pk__in=[v.pk for v in vols], acknowledged_at__isnull=False).count() == 3


def test_a_manager_cannot_act_on_another_managers_alert(scene):
    foreign = scene.alerts["bank_p2"]  # other_manager_client
    c = client_for(scene.a.manager)
    assert c.post(f"/alerts/{foreign.pk}/ack/").status_code == 404
    assert c.post(f"/alerts/{foreign.pk}/snooze1h/").status_code == 404
    # smuggled into a row of their own: the whole request is refused, nothing changes
    own = scene.alerts["zavod_p1"]
    assert c.post(f"/alerts/{own.pk}/ack/", {"also": [foreign.pk]}).status_code == 404
    assert client_for(scene.world.b.dealer_admin).post(f"/alerts/{own.pk}/ack/").status_code == 404
    for alert in (foreign, own):
        alert.refresh_from_db()
        assert alert.acknowledged_at is None and alert.snoozed_until is None
    assert c.get(f"/alerts/{own.pk}/ack/").status_code == 405  # a GET never acts


def test_emergencies_table_rows_and_actions(scene):
    c = client_for(scene.a.manager)
    data = json.loads(c.get("/d/emergencies/panel/emergencies.json").content)
    assert {r["id"] for r in data["rows"]} == {scene.alerts["zavod_p1"].pk, scene.alerts["zvezda_p3"].pk,
                                                 scene.alerts["zvezda_resolved"].pk}
    keys = {col["key"] for col in data["columns"]}
    assert {"client", "manager", "legacy_priority", "priority", "importance", "rule", "text", "clientname", "regnum",
            "catalog", "url", "user", "filename"} <= keys
    p3 = next(r for r in data["rows"] if r["id"] == scene.alerts["zvezda_p3"].pk)
    assert p3["filename"] == r"D:\Kodeks\OperUp\a.upd" and p3["clientname"] == 'ООО "Ромашка"'
    assert p3["_links"]["client"] == f"/installations/{scene.zvezda.pk}/"  # drill-down to the health card
    resolved = next(r for r in data["rows"] if r["id"] == scene.alerts["zvezda_resolved"].pk)
    assert resolved["actions"] == []
    ack = next(a for a in p3["actions"] if a["action"] == "ack")
    r = c.post(ack["url"], HTTP_ACCEPT="application/json")
    assert r.status_code == 200 and json.loads(r.content)["done"] == 1
    alert = Alert.objects.get(pk=p3["id"])
    assert alert.acknowledged_by == scene.a.manager and alert.tta_s is not None
    again = json.loads(c.get("/d/emergencies/panel/emergencies.json").content)
    row = next(r for r in again["rows"] if r["id"] == p3["id"])
    assert row["acknowledged"] is True and [a["action"] for a in row["actions"]][0] == "unack"


def test_emergency_counters_and_filters(scene):
    c = client_for(scene.a.dealer_admin)

    def stat(p, query=""):
        return json.loads(c.get(f"/d/emergencies/panel/firing-{p}.json{query}").content)["value"]

    # dealer A fires: zavod P1; bank P2 and its online access P2; ZVEZDA-A P3
    assert [stat(p) for p in ("p1", "p2", "p3", "p4")] == [1, 2, 1, 0]
    assert stat("p2", f"?var-client={scene.a.branch_client.pk}") == 0
    assert stat("p1", f"?var-client={scene.a.branch_client.pk}") == 1
    rows = json.loads(c.get("/d/emergencies/panel/emergencies.json?var-priority=K4").content)["rows"]
    assert [r["rule"] for r in rows] == ["OnlineBillingDocsLeft50"]
    assert (rows[0]["catalog"], rows[0]["url"]) == ("docs1", "online.kodeks.ru")
    rows = json.loads(c.get("/d/emergencies/panel/emergencies.json?var-alert=KodeksWarning").content)["rows"]
    assert [r["id"] for r in rows] == [scene.alerts["bank_p2"].pk]
    csv = c.get("/d/emergencies/panel/emergencies.csv").content.decode("utf-8-sig")
    assert "connection refused" in csv and "/alerts/" not in csv  # the buttons are not exported
