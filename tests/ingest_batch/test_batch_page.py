"""The "Upload reports" page: many files for one installation, a result per file, scoped and audited."""
from datetime import datetime, timedelta, timezone

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smart.ingest.models import Report
from smart.registry.models import Client, Dealer, Installation, Role, User
from smart.simulator.fleet import Fleet

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=timezone.utc)
PW = "a-long-password-1"


@pytest.fixture
def setup(dealer):
    fleet = Fleet(seed=11, installations=1, start=(NOW - timedelta(days=60)).date(), now=NOW)
    client = Client.objects.create(dealer=dealer, slug="ZAVOD", display_name="Завод", closed_network=True)
    inst = Installation.objects.create(dealer=dealer, client=client, kind="pushed", name=fleet.name(0))
    tech = User.objects.create_user("tech", password=PW, role=Role.TECHNICIAN, dealer=dealer)
    manager = User.objects.create_user("man", password=PW, role=Role.MANAGER, dealer=dealer)
    client.managers.add(manager)
    other = Dealer.objects.create(code="0077", name="tehex")
    alien = Installation.objects.create(dealer=other, kind="pushed", name="ALIEN",
                                        client=Client.objects.create(dealer=other, slug="ALIEN", display_name="A"))
    return fleet, inst, tech, manager, alien


def test_technician_uploads_a_backlog_and_sees_each_result(client, setup):
    fleet, inst, tech, _, _ = setup
    assert client.login(username="tech", password=PW)
    files = [SimpleUploadedFile(f"{inst.name}-{k}.status", fleet.status_at(0, NOW - timedelta(hours=k)))
             for k in range(1, 4)]
    files.append(SimpleUploadedFile("broken.zip", b"PK\x03\x04 truncated"))
    resp = client.post(f"/installations/{inst.pk}/upload/", {"files": files, "process": "on"})
    assert resp.status_code == 200
    rows = resp.context["result"].files
    assert [r.code for r in rows[:3]] == ["ok", "ok", "ok"] and all(r.status == "ok" for r in rows[:3])
    assert rows[3].source == "broken.zip" and (rows[3].code != "ok" or rows[3].status != "ok")
    assert Report.objects.filter(installation=inst, channel="manual", status="ok").count() == 3
    body = resp.content.decode()
    assert "broken.zip" in body and "data-batch-result" in body
    from smart.cabinet.models import AuditEntry
    assert AuditEntry.objects.get(action="batch_upload").changes["files"] == 4


def test_manager_cannot_and_foreign_installation_is_not_found(client, setup):
    _, inst, _, _, alien = setup
    assert client.login(username="man", password=PW)
    assert client.get(f"/installations/{inst.pk}/upload/").status_code == 403
    assert client.login(username="tech", password=PW)
    assert client.get(f"/installations/{alien.pk}/upload/").status_code == 404
    assert client.get(f"/installations/{inst.pk}/upload/").status_code == 200
