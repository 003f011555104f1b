"""HEAD /files/<name>: presence only, only within the caller's dealer; GET never returns content (W4)."""
import httpx

from smart.registry.models import IngestToken

from .conftest import attempts
from .samples import sysinfo_zip

HDRS = {"upload": "yes", "dealer": "0042kodeks"}


def test_head_present_has_smart_headers(smart, registry):
    smart.upload(sysinfo_zip(), "ROGA.zip")
    response = httpx.head(f"{smart.url}/files/ROGA.zip", params={"token": "legacy-token-0042"}, headers=HDRS)
    assert response.status_code == 200
    assert response.headers["x-smart-parse-status"] == "queued"
    assert response.headers["x-smart-received-at"]
    assert response.content == b""


def test_head_never_sees_another_dealers_report(smart, registry):
    smart.upload(sysinfo_zip(), "ROGA.zip", token="legacy-token-0077", dealer="0077tehex")
    response = httpx.head(f"{smart.url}/files/ROGA.zip", params={"token": "legacy-token-0042"}, headers=HDRS)
    assert response.status_code == 404


def test_get_is_refused_even_for_existing_reports(smart, registry):
    smart.upload(sysinfo_zip(), "ROGA.zip")
    response = httpx.get(f"{smart.url}/files/ROGA.zip", params={"token": "legacy-token-0042"}, headers=HDRS)
    assert (response.status_code, response.json()["code"]) == (403, "read_refused")
    assert b"sysinfo" not in response.content
    assert attempts(endpoint="files")[0].code == "read_refused"


def test_head_with_wrong_token_is_401(smart, registry):
    response = httpx.head(f"{smart.url}/files/ROGA.zip", params={"token": "nope"}, headers=HDRS)
    assert response.status_code == 401


def test_installation_token_sees_only_its_installation(smart, registry):
    smart.upload(sysinfo_zip(), "NEWCO.zip")  # quarantined, same dealer
    _, plain = IngestToken.issue(registry["dealer"], registry["roga"])
    response = httpx.head(f"{smart.url}/files/NEWCO.zip", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 404
