"""Quarantine in the registry UI: names uploaded under the legacy token but not registered are listed and
attached to an installation, or registered as a new one; their reports are queued and later uploads follow."""
import pytest
from django.urls import reverse

from smart.cabinet.models import AuditEntry
from smart.ingest.models import Report
from smart.registry.models import IngestToken, Installation, InstallationAlias

from .uploads import legacy_upload

TOKEN = "legacy-token-for-quarantine"


def url(name, *args):
    return reverse(f"cabinet:{name}", args=args)


@pytest.fixture
def quarantined(transactional_db, world):
    """Dealer A with a pushed installation ZAVOD and three reports of two unknown names in quarantine."""
    dealer = world.a.dealer
    IngestToken.issue(dealer, value=TOKEN)
    zavod = Installation.objects.create(dealer=dealer, client=world.a.branch_client, kind="pushed", name="ZAVOD")
    for name, marker in (("ZAVOD-NEW", "1"), ("ZAVOD-NEW", "2"), ("Shkola-A", "3")):
        r = legacy_upload(dealer, TOKEN, name, marker)
        assert r.status_code == 202 and r.json()["code"] == "quarantined"
    return world, zavod


def test_list_attach_and_later_uploads_follow(quarantined, as_user):
    world, zavod = quarantined
    c = as_user(world.a.technician)
    page = c.get(url("registry-quarantine"))
    assert [(q["name"], q["reports"]) for q in page.context["names"]] == [("Shkola-A", 1), ("ZAVOD-NEW", 2)]
    r = c.post(url("registry-quarantine-attach"), {"name": "zavod-new", "installation": zavod.pk})
    assert r.status_code == 302
    reports = Report.objects.filter(name="ZAVOD-NEW")
    assert all(r.installation == zavod and not r.quarantined and r.jobs.count() == 1 for r in reports)
    assert InstallationAlias.objects.get(dealer=world.a.dealer).name == "zavod-new"
    later = legacy_upload(world.a.dealer, TOKEN, "ZAVOD-NEW", "4")
    assert later.status_code == 200 and Report.objects.latest("id").installation == zavod
    entry = AuditEntry.objects.get(action="attach")
    assert entry.user == world.a.technician and entry.changes == {"alias": ["", "zavod-new"], "reports": ["", 2]}
    assert [q["name"] for q in c.get(url("registry-quarantine")).context["names"]] == ["Shkola-A"]


def test_attach_as_new_uses_the_existing_client_of_that_name(quarantined, as_user):
    world, _ = quarantined
    c = as_user(world.a.dealer_admin)
    r = c.post(url("registry-quarantine-attach"), {"name": "Shkola-A", "installation": "new"})
    inst = Installation.objects.get(dealer=world.a.dealer, name="Shkola-A")
    assert r.status_code == 302 and r["Location"] == url("registry-installation-edit", inst.pk)
    assert inst.client == world.a.unmanaged_client  # slug shkola-a, case ignored: no twin client
    assert Report.objects.get(name="Shkola-A").installation == inst
    assert AuditEntry.objects.filter(action="create", object_type="installation").count() == 1


def test_attach_as_new_creates_a_client(quarantined, as_user):
    world, _ = quarantined
    c = as_user(world.a.dealer_admin)
    c.post(url("registry-quarantine-attach"), {"name": "ZAVOD-NEW", "installation": "new"})
    inst = Installation.objects.get(dealer=world.a.dealer, name="ZAVOD-NEW")
    assert inst.client.slug == "ZAVOD-NEW" and inst.kind == "pushed"
    assert Report.objects.filter(installation=inst).count() == 2


def test_quarantine_is_scoped(quarantined, as_user):
    world, zavod = quarantined
    assert as_user(world.a.manager).get(url("registry-quarantine")).status_code == 403
    other = as_user(world.b.dealer_admin)
    assert other.get(url("registry-quarantine")).context["names"] == []
    # another dealer cannot attach A's names, nor to A's installations
    attach = other.post(url("registry-quarantine-attach"), {"name": "ZAVOD-NEW", "installation": "new"})
    assert attach.status_code == 404
    assert Report.objects.filter(quarantined=True).count() == 3
