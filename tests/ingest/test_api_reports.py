"""POST /api/v1/reports with an installation token (X2, X3)."""
import httpx

from smart.ingest.models import Report
from smart.registry.models import IngestToken

from .samples import STATUS, sysinfo_zip


def test_multipart_upload_with_bearer_token(smart, registry):
    _, plain = IngestToken.issue(registry["dealer"], registry["roga"])
    response = httpx.post(
        f"{smart.url}/api/v1/reports", headers={"Authorization": f"Bearer {plain}"}, files={"file": ("ROGA.zip", sysinfo_zip())}
    )
    assert response.status_code == 200
    assert response.json()["ok"] is True and response.json()["status"] == "queued"
    assert Report.objects.get().channel == "api"


def test_raw_body_named_from_the_binding(smart, registry):
    _, plain = IngestToken.issue(registry["dealer"], registry["roga"])
    response = httpx.post(f"{smart.url}/api/v1/reports", headers={"Authorization": f"Bearer {plain}"}, content=STATUS)
    assert response.status_code == 200
    report = Report.objects.get()
    assert (report.file_name, report.kind, report.installation) == ("ROGA.status", "status", registry["roga"])


def test_legacy_dealer_token_refused_on_api(smart, registry):
    response = httpx.post(
        f"{smart.url}/api/v1/reports", headers={"Authorization": "Bearer legacy-token-0042"}, files={"file": ("ROGA.zip", sysinfo_zip())}
    )
    assert (response.status_code, response.json()["code"]) == (401, "installation_token_required")
