"""A changed row lists the fields that change, old -> new; secrets only as "changed"."""
from smart.registry.models import Installation

from .conftest import MANAGERS_CSV, ONLINE_CSV


def test_changed_row_reports_its_fields(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    edited = MANAGERS_CSV.replace("zvezda,Петров,petrov@dealer.ru,smartupload,download,noupload,process,donotping,-1",
                                  "zvezda,Иванов,petrov@dealer.ru,smartupload,download,upload,process,donotping,+2")
    status, result = run_import(edited, "--dry-run")
    assert status == 0
    [item] = result["changed"]
    assert (item["line"], item["name"]) == (4, "zvezda")
    assert item["fields"] == ["manager", "upload", "time_zone"]
    assert {"field": "time_zone", "old": "Europe/Moscow", "new": "Asia/Omsk"} in item["changes"]
    assert {"field": "manager", "old": "Петров", "new": "Иванов"} in item["changes"]
    assert Installation.objects.get(name="zvezda").upload is False  # dry run


def test_changed_row_is_applied(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    run_import(MANAGERS_CSV.replace("dc.example.ru:8080,Петров", "dc.example.ru:8080,ivanov"))
    inst = Installation.objects.get(name="dc.example.ru:8080")
    assert inst.manager == managers[0]
    assert managers[0] in inst.client.managers.all()


def test_human_output_shows_changes_and_password_changed(dealer, managers, run_import, run_import_text):
    run_import(ONLINE_CSV)
    status, text = run_import_text(ONLINE_CSV.replace("secret-2", "secret-3").replace(",http,", ",https,"),
                                   "--dry-run")
    assert status == 0
    assert "~ line 1: Звезда (zvezda@online.kodeks.ru/docs2) (password changed; scheme: http -> https)" in text
    assert "secret" not in text
