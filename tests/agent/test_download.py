"""The bundle as a download from the cabinet: POST only, scoped, technicians and admins only, audited."""
import io
import zipfile

import pytest

from smart.registry.models import Client, Dealer, Installation, Role, User

PW = "a-long-password-1"


@pytest.fixture
def people(installation):
    dealer = installation.dealer
    other = Dealer.objects.create(code="0077", name="tehex")
    oclient = Client.objects.create(dealer=other, slug="ALIEN", display_name="Чужой")
    alien = Installation.objects.create(dealer=other, client=oclient, kind="pushed", name="ALIEN")
    users = {}
    for role in (Role.TECHNICIAN, Role.MANAGER, Role.DEALER_ADMIN):
        users[role] = User.objects.create_user(f"u-{role}", password=PW, role=role, dealer=dealer)
    installation.manager = users[Role.MANAGER]
    installation.save()
    return users, alien


def login(client, user):
    assert client.login(username=user.username, password=PW)


def test_technician_downloads_a_windows_bundle(client, installation, people):
    users, _ = people
    login(client, users[Role.TECHNICIAN])
    assert client.get(f"/agent/{installation.pk}/bundle.zip").status_code == 405  # a GET never issues a token
    resp = client.post(f"/agent/{installation.pk}/bundle.zip", {"os": "windows"})
    assert resp.status_code == 200 and resp["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(resp.content)).namelist()
    assert "smartagent-ZAVOD-windows/task-smartupload.xml" in names
    assert "smartagent-ZAVOD-windows/smart.cfg" in names
    from smart.cabinet.models import AuditEntry
    entry = AuditEntry.objects.get(action="token")
    assert entry.object_id == str(installation.pk) and entry.changes["agent_bundle"] == "windows"


def test_manager_may_not_and_another_dealers_installation_is_not_found(client, installation, people):
    users, alien = people
    login(client, users[Role.MANAGER])
    assert client.post(f"/agent/{installation.pk}/bundle.zip", {"os": "linux"}).status_code == 403
    login(client, users[Role.DEALER_ADMIN])
    assert client.post(f"/agent/{alien.pk}/bundle.zip", {"os": "linux"}).status_code == 404
    assert client.post(f"/agent/{installation.pk}/bundle.zip", {"os": "macos"}).status_code == 400
