"""Tokens issued, rotated and revoked in the registry UI take effect on the upload endpoints: a real POST
/upload (the legacy curl line) and POST /api/v1/reports through SMART's ASGI application, in process."""
import re

import pytest
from django.urls import reverse

from smart.cabinet.models import AuditEntry
from smart.registry.models import IngestToken, hash_token

from .uploads import api_upload, legacy_upload


def plain_token(response) -> str:
    match = re.search(r'id="plain-token">([^<]+)<', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1).strip()


def url(name, *args):
    return reverse(f"cabinet:{name}", args=args)


@pytest.fixture
def tokens_world(transactional_db, world):
    """The shared world plus a pushed installation per dealer A client (uploads name their CLIENTNAME)."""
    from smart.registry.models import Installation

    for client in world.a.clients:
        world.a.installations[client.slug] = Installation.objects.create(
            dealer=client.dealer, client=client, kind="pushed", name=client.slug.upper())
    return world


def test_legacy_token_issue_rotate_revoke_on_upload(tokens_world, as_user):
    world = tokens_world
    dealer, name = world.a.dealer, world.a.installations[world.a.branch_client.slug].name
    c = as_user(world.a.dealer_admin)
    r = c.post(url("registry-token-issue"), {"label": "scripts 2026"})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    first = plain_token(r)
    token = IngestToken.objects.get(token_hash=hash_token(first))
    assert token.dealer == dealer and token.is_legacy and token.label == "scripts 2026"
    assert token.prefix == first[:8] and first not in c.get(url("registry-tokens")).content.decode()

    accepted = legacy_upload(dealer, first, name)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"ok": True, "path": f"/files/{name}.zip"}

    second = plain_token(c.post(url("registry-token-rotate", token.pk)))
    assert legacy_upload(dealer, first, name, "2").json()["ok"] is True  # both valid during the overlap
    assert legacy_upload(dealer, second, name, "3").json()["ok"] is True

    r = c.post(url("registry-token-revoke", token.pk))
    assert r.status_code == 302
    refused = legacy_upload(dealer, first, name, "4")
    assert (refused.status_code, refused.json()["code"]) == (401, "revoked_token")
    assert legacy_upload(dealer, second, name, "5").status_code == 200
    actions = [(e.action, sorted(e.changes)) for e in AuditEntry.objects.order_by("id")]
    assert actions == [("token", ["issued"]), ("token", ["rotated"]), ("token", ["revoked"])]
    assert all(first not in str(e.changes) and second not in str(e.changes) for e in AuditEntry.objects.all())
    # the page shows the legacy token in use
    listing = c.get(url("registry-tokens"))
    page = listing.content.decode()
    assert f'data-token="{second[:8]}"' in page and f'data-token="{first[:8]}"' in page
    assert listing.context["legacy_uses"] == 4  # the accepted uploads above; the refused one does not count


def test_installation_token_works_only_for_its_installation(tokens_world, as_user):
    world = tokens_world
    inst = world.a.installations[world.a.branch_client.slug]
    other = world.a.installations[world.a.unmanaged_client.slug]
    c = as_user(world.a.technician)  # technicians onboard installations: they issue their tokens
    plain = plain_token(c.post(url("registry-token-issue"), {"installation": inst.pk}))
    assert IngestToken.objects.get(token_hash=hash_token(plain)).installation == inst
    assert api_upload(plain, inst.name).status_code == 200
    wrong = api_upload(plain, other.name, marker="2")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "name_not_bound")
    token = IngestToken.objects.get(token_hash=hash_token(plain))
    c.post(url("registry-token-revoke", token.pk))
    refused = api_upload(plain, inst.name, marker="3")
    assert (refused.status_code, refused.json()["code"]) == (401, "revoked_token")


def test_rotation_keeps_two_valid_tokens_at_most(tokens_world, as_user):
    world = tokens_world
    inst = world.a.installations[world.a.branch_client.slug]
    c = as_user(world.a.dealer_admin)
    a = plain_token(c.post(url("registry-token-issue"), {"installation": inst.pk}))
    b = plain_token(c.post(url("registry-token-issue"), {"installation": inst.pk}))
    token_b = IngestToken.objects.get(token_hash=hash_token(b))
    new = plain_token(c.post(url("registry-token-rotate", token_b.pk)))
    valid = set(IngestToken.objects.filter(installation=inst, revoked_at__isnull=True)
                .values_list("token_hash", flat=True))
    assert valid == {hash_token(b), hash_token(new)}  # the rotated token and its successor; `a` revoked
    assert api_upload(a, inst.name).json()["code"] == "revoked_token"


def test_token_permissions(tokens_world, as_user):
    world = tokens_world
    legacy, _ = IngestToken.issue(world.a.dealer, label="legacy")
    inst_b = world.b.installations[world.b.branch_client.slug]
    foreign, _ = IngestToken.issue(world.b.dealer, inst_b)
    tech = as_user(world.a.technician)
    assert tech.post(url("registry-token-issue"), {}).status_code == 404  # no legacy token for a technician
    assert tech.post(url("registry-token-revoke", legacy.pk)).status_code == 404
    assert as_user(world.a.manager).post(url("registry-token-revoke", legacy.pk)).status_code == 403
    admin = as_user(world.a.dealer_admin)
    assert admin.post(url("registry-token-revoke", foreign.pk)).status_code == 404
    assert admin.post(url("registry-token-issue"), {"installation": inst_b.pk}).status_code == 404
    assert not IngestToken.objects.filter(revoked_at__isnull=False).exists()
    assert tech.get(url("registry-tokens")).context["legacy"] is None  # the legacy section is not shown


def test_installation_page_shows_recent_uploads_with_their_answers(tokens_world, as_user):
    world = tokens_world
    inst = world.a.installations[world.a.branch_client.slug]
    legacy, plain = IngestToken.issue(world.a.dealer)
    assert legacy_upload(world.a.dealer, plain, inst.name, "1").status_code == 200
    from .uploads import post_upload

    empty = post_upload("/upload", params={"token": plain}, name=f"{inst.name.lower()}.status", content=b" ",
                        headers={"upload": "yes", "dealer": world.a.dealer.header_value})
    assert empty.status_code == 422, empty.text
    assert legacy_upload(world.a.dealer, plain, "OTHER-NAME", "3").status_code == 202
    page = as_user(world.a.technician).get(url("registry-installation", inst.pk))
    codes = [a.code for a in page.context["attempts"]]
    assert codes == [empty.json()["code"], "ok"]
    assert f'data-attempt="{empty.json()["code"]}"' in page.content.decode()
    assert as_user(world.a.manager).get(url("registry-installation", inst.pk)).context["attempts"] is None
