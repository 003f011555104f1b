"""The CLI names and --json keys other parts rely on."""
import json

import pytest
from django.core.management import CommandError, call_command

from smart.ingest import service
from smart.ingest.archive import IncomingFile
from smart.ingest.models import Report
from smart.pipeline.models import ProcessingJob
from smart.registry.models import Client, Dealer, IngestToken, Installation, User


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def upload(dealer, name, content: bytes):
    caller = service.Caller(endpoint="upload", token_value="tok", dealer_header=dealer.header_value, upload_header="yes")
    service.authenticate(caller)
    incoming = IncomingFile()
    incoming.write(content)
    return service.accept(caller, incoming, name)


@pytest.fixture
def setup(db):
    result = json.loads(run("createdealer", "--code", "0042", "--name", "kodeks", "--token", "tok", "--json"))
    dealer = Dealer.objects.get(code="0042")
    client = Client.objects.create(dealer=dealer, slug="ROGA", display_name="Рога")
    Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="ROGA")
    return dealer, result


def test_createdealer_json_keys(setup):
    dealer, result = setup
    assert set(result) == {"dealer", "token", "admin_user", "admin_password"}
    assert result["dealer"] == "0042kodeks" and result["token"] == "tok"
    admin = User.objects.get(username=result["admin_user"])
    assert admin.role == "dealer_admin" and admin.dealer == dealer and admin.check_password(result["admin_password"])
    assert IngestToken.lookup("tok").dealer == dealer


def test_createdealer_generates_token_and_refuses_bad_code(db):
    result = json.loads(run("createdealer", "--code", "AB12", "--name", "x", "--json"))
    assert len(result["token"]) >= 24
    with pytest.raises(CommandError):
        run("createdealer", "--code", "TOOLONG", "--name", "x")
    with pytest.raises(CommandError):
        run("createdealer", "--code", "ab12", "--name", "y")


def test_status_json_newest_first(setup):
    dealer, _ = setup
    upload(dealer, "ROGA.zip", b"PK\x03\x04 one")
    upload(dealer, "ROGA.status", b"kserver_up 1\n")
    status = json.loads(run("status", "--dealer", "0042", "--name", "roga", "--json"))
    assert status["name"] == "ROGA" and status["quarantined"] is False
    assert [r["kind"] for r in status["reports"]] == ["status", "zip"]
    first = status["reports"][0]
    assert {"received_at", "kind", "sha256", "size", "status"} <= set(first)
    assert first["size"] == len(b"kserver_up 1\n") and first["status"] == "queued"


def test_status_of_quarantined_name(setup):
    dealer, _ = setup
    upload(dealer, "NEWCO.zip", b"PK\x03\x04 x")
    status = json.loads(run("status", "--dealer", "0042", "--name", "NEWCO", "--json"))
    assert status["quarantined"] is True and status["reports"][0]["status"] == "quarantined"


def test_status_unknown_name_is_an_error(setup):
    with pytest.raises(CommandError):
        run("status", "--dealer", "0042", "--name", "NOBODY", "--json")


def test_reprocess_requeues_from_archive(setup):
    dealer, _ = setup
    outcome = upload(dealer, "ROGA.zip", b"PK\x03\x04 one")
    ProcessingJob.objects.update(state="done")
    assert "queued 1 report" in run("reprocess", "--dealer", "0042")
    assert ProcessingJob.objects.filter(report=outcome.report, state="pending").count() == 1
    assert "queued 0 report" in run("reprocess", "--dealer", "0042")  # already pending: not twice


def test_reprocess_reports_missing_archive_objects(setup, settings):
    dealer, _ = setup
    outcome = upload(dealer, "ROGA.zip", b"PK\x03\x04 one")
    ProcessingJob.objects.update(state="done")
    from smart.ingest.archive import object_path

    object_path(outcome.report.sha256).unlink()
    with pytest.raises(CommandError):
        run("reprocess")
    assert Report.objects.count() == 1


def test_demo_setup_builds_registry(db):
    run("demo", "--setup-only")
    dealer = Dealer.objects.get(code="DEMO")
    assert dealer.installations.count() == 24 and dealer.online_accesses.count() == 6
    run("demo", "--setup-only")  # idempotent
    assert dealer.installations.count() == 24
