"""Who may upload: tokens and the dealer header (401, 403), each refusal audited."""
from smart.ingest.models import Report
from smart.registry.models import IngestToken

from .conftest import attempts
from .samples import sysinfo_zip


def assert_refused(response, status, code):
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload["ok"] is False and payload["code"] == code
    assert payload["message_ru"] and payload["message_en"]
    assert Report.objects.count() == 0
    [attempt] = attempts()
    assert (attempt.http_status, attempt.code) == (status, code)
    return attempt


def test_wrong_token_is_401(smart, registry):
    attempt = assert_refused(smart.upload(sysinfo_zip(), "ROGA.zip", token="nope"), 401, "wrong_token")
    assert attempt.token is None and attempt.source_ip == "127.0.0.1"


def test_missing_token_is_401(smart, registry):
    assert_refused(smart.upload(sysinfo_zip(), "ROGA.zip", token=None), 401, "missing_token")


def test_revoked_token_is_401(smart, registry):
    IngestToken.lookup("legacy-token-0042").revoke()
    attempt = assert_refused(smart.upload(sysinfo_zip(), "ROGA.zip"), 401, "revoked_token")
    assert attempt.token.prefix == "legacy-t"


def test_other_dealers_header_is_403(smart, registry):
    attempt = assert_refused(smart.upload(sysinfo_zip(), "ROGA.zip", dealer="0077tehex"), 403, "dealer_mismatch")
    assert attempt.dealer == registry["dealer"] and attempt.dealer_header == "0077tehex"


def test_missing_dealer_header_is_400(smart, registry):
    assert_refused(smart.upload(sysinfo_zip(), "ROGA.zip", dealer=None), 400, "missing_dealer_header")


def test_dealer_header_any_case_and_header_names_any_case(smart, registry):
    response = smart.upload(sysinfo_zip(), "ROGA.zip", dealer=None, headers={"DEALER": "0042KODEKS", "Upload": "yes"})
    assert response.status_code == 200


def test_token_in_authorization_header(smart, registry):
    response = smart.upload(sysinfo_zip(), "ROGA.zip", token=None, headers={"Authorization": "Bearer legacy-token-0042"})
    assert response.json() == {"ok": True, "path": "/files/ROGA.zip"}


def test_installation_token_bound_to_its_name(smart, registry):
    _, plain = IngestToken.issue(registry["dealer"], registry["roga"])
    assert smart.upload(sysinfo_zip(), "ROGA.zip", token=plain).status_code == 200
    refused = smart.upload(sysinfo_zip("2"), "OTHER.zip", token=plain)
    assert (refused.status_code, refused.json()["code"]) == (403, "name_not_bound")
    assert [a.code for a in attempts()] == ["ok", "name_not_bound"]


def test_two_tokens_valid_during_rotation_third_revokes_oldest(registry):
    dealer = registry["dealer"]
    _, second = IngestToken.issue(dealer, value="legacy-token-0042-b")
    assert IngestToken.objects.filter(dealer=dealer, installation=None, revoked_at=None).count() == 2
    IngestToken.issue(dealer, value="legacy-token-0042-c")
    assert IngestToken.lookup("legacy-token-0042").revoked_at is not None
    assert IngestToken.lookup(second).revoked_at is None


def test_tokens_stored_hashed(registry):
    token = IngestToken.lookup("legacy-token-0042")
    assert "legacy-token-0042" not in token.token_hash and len(token.token_hash) == 64
