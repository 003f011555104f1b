"""The dealer's /metrics: token-protected, the dealer's objects only, values as stored, valid for promtool."""
import os
import shutil
import subprocess
from datetime import date, datetime, timezone

import pytest
from prometheus_client.parser import text_string_to_metric_families

from smart.registry.models import IngestToken
from smart.reports.models import MetricsToken


def scrape(client, token):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def samples(text: str) -> dict:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out.setdefault(s.name, []).append((s.labels, s.value))
    return out


def test_values_and_labels(client, dealer, fleet):
    zavod, cloud, access = fleet
    _, plain = MetricsToken.issue(dealer)
    resp = scrape(client, plain)
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/plain; version=0.0.4")
    text = resp.content.decode()
    assert "ALIEN-SECRET" not in text
    got = samples(text)
    info = {s[0]["installation"]: s[0] for s in got["smart_installation_info"]}
    assert info["ZAVOD"]["version"] == "7.4.1" and info["10234.te-cloud.ru:443"]["provider"] == "te-cloud"
    assert ({"dealer": "0042kodeks", "installation": "ZAVOD"}, 8.0) in got["smart_installation_seats_used"]
    age = {s[0]["stream"]: s[1] for s in got["smart_report_age_seconds"] if s[0]["installation"] == "ZAVOD"}
    assert 1790 <= age["sysinfo"] <= 1900 and 290 <= age["status"] <= 400
    assert ({"dealer": "0042kodeks", "installation": "ZAVOD", "series": "seats_used"}, 8.0) in got["smart_status"]
    [(labels, value)] = got["smart_check_up"]
    assert labels["check"] == "tcp" and labels["state"] == "refused" and value == 0
    assert got["smart_check_consecutive_failures"][0][1] == 4
    [(labels, _)] = got["smart_db_error_present"]
    assert labels["code"] == "2007"
    [(labels, expiry)] = got["smart_licence_expiry_timestamp_seconds"]
    assert labels["volume"] == "KOD01" and datetime.fromtimestamp(expiry, timezone.utc).date() == date(2027, 1, 31)
    left = [s for s in got["smart_online_units_left"] if s[0]["counter"] == "documents"]
    assert left == [({"dealer": "0042kodeks", "online_access": str(access.pk), "counter": "documents"}, 90.0)]


def test_tokens(client, dealer, fleet):
    assert client.get("/metrics").status_code == 401
    _, upload = IngestToken.issue(dealer)
    assert scrape(client, upload).status_code == 401  # an upload token never reads
    token, plain = MetricsToken.issue(dealer)
    assert client.get(f"/metrics?token={plain}").status_code == 401  # never in the URL
    assert scrape(client, plain).status_code == 200
    token.revoked_at = datetime.now(timezone.utc)
    token.save()
    assert scrape(client, plain).status_code == 401


@pytest.mark.skipif(shutil.which("promtool") is None and os.environ.get("CI") != "true", reason="promtool (Debian package prometheus) is not installed")
def test_promtool_accepts_the_exposition(client, dealer, fleet):
    _, plain = MetricsToken.issue(dealer)
    done = subprocess.run(["promtool", "check", "metrics"], input=scrape(client, plain).content,
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
