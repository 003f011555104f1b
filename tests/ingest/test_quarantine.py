"""Unknown names are kept in a visible quarantine and attached in one action (E7)."""
from django.core.management import call_command

from smart.ingest import quarantine
from smart.ingest.models import Report
from smart.registry.models import Installation

from .samples import sysinfo_zip


def test_unknown_name_is_quarantined_not_created(smart, registry):
    response = smart.upload(sysinfo_zip(), "NEWCO.zip")
    assert response.status_code == 202
    assert response.json()["code"] == "quarantined" and response.json()["path"] == "/files/NEWCO.zip"
    report = Report.objects.get()
    assert report.quarantined and report.installation is None and report.jobs.count() == 0
    assert not Installation.objects.filter(name__iexact="NEWCO").exists()
    assert quarantine.quarantined_names(registry["dealer"])[0]["name"] == "NEWCO"


def test_attach_queues_reports_and_later_uploads_follow(smart, registry):
    smart.upload(sysinfo_zip("a"), "NEWCO.zip")
    smart.upload(sysinfo_zip("b"), "NEWCO.zip")
    moved = quarantine.attach(registry["dealer"], "newco", registry["roga"])
    assert moved == 2
    assert all(r.installation == registry["roga"] and not r.quarantined and r.jobs.count() == 1 for r in Report.objects.all())
    later = smart.upload(sysinfo_zip("c"), "NEWCO.zip")
    assert later.json() == {"ok": True, "path": "/files/NEWCO.zip"}
    assert Report.objects.latest("id").installation == registry["roga"]


def test_quarantine_is_per_dealer(smart, registry):
    smart.upload(sysinfo_zip(), "NEWCO.zip")
    assert quarantine.quarantined_names(registry["other"]) == []


def test_cli_attach_as_new_installation(smart, registry, capsys):
    smart.upload(sysinfo_zip(), "NEWCO.zip")
    call_command("quarantine", "--dealer", "0042", "--attach", "NEWCO", "--new")
    assert "1 report(s) queued" in capsys.readouterr().out
    installation = Installation.objects.get(dealer=registry["dealer"], name="NEWCO")
    assert installation.reports.get().status == "queued"
    assert quarantine.quarantined_names(registry["dealer"]) == []
