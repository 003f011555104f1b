"""Objects missing from the file are archived only with --allow-remove (IM-2)."""
from smart.registry.models import Installation, OnlineAccess

from .conftest import MANAGERS_CSV, ONLINE_CSV

WITHOUT_ZVEZDA = "".join(line for line in MANAGERS_CSV.splitlines(keepends=True) if not line.startswith("zvezda"))


def test_removal_is_only_reported_without_allow_remove(dealer, managers, run_import, run_import_text):
    run_import(MANAGERS_CSV)
    status, result = run_import(WITHOUT_ZVEZDA)
    assert status == 0
    assert result["removed"] == [{"line": None, "name": "zvezda", "needs_allow_remove": True}]
    assert Installation.objects.get(name="zvezda").archived_at is None
    _status, text = run_import_text(WITHOUT_ZVEZDA)
    assert "- zvezda (needs --allow-remove)" in text


def test_allow_remove_archives(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    _status, result = run_import(WITHOUT_ZVEZDA, "--allow-remove")
    assert result["removed"] == [{"line": None, "name": "zvezda", "needs_allow_remove": False}]
    assert Installation.objects.get(name="zvezda").archived_at is not None
    _status, again = run_import(WITHOUT_ZVEZDA, "--allow-remove")
    assert again["removed"] == []


def test_archived_object_in_the_file_is_restored(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    run_import(WITHOUT_ZVEZDA, "--allow-remove")
    _status, result = run_import(MANAGERS_CSV)
    assert [(i["name"], i["fields"]) for i in result["changed"]] == [("zvezda", ["archived"])]
    assert Installation.objects.get(name="zvezda").archived_at is None


def test_online_removal_and_row_with_error_is_not_a_removal(dealer, managers, run_import):
    run_import(ONLINE_CSV)
    broken = ONLINE_CSV.replace(",docs2,http,", ",docs2,ftp,")
    status, result = run_import(broken, "--allow-remove")
    assert status == 1 and result["removed"] == []
    assert OnlineAccess.objects.filter(archived_at__isnull=True).count() == 2


def test_dry_run_with_allow_remove_previews_without_archiving(dealer, managers, run_import, run_import_text):
    run_import(MANAGERS_CSV)
    _status, result = run_import(WITHOUT_ZVEZDA, "--dry-run", "--allow-remove")
    assert result["removed"] == [{"line": None, "name": "zvezda", "needs_allow_remove": False}]
    assert Installation.objects.get(name="zvezda").archived_at is None
    _status, text = run_import_text(WITHOUT_ZVEZDA, "--dry-run", "--allow-remove")
    assert "- zvezda (will be archived)" in text


def test_unreadable_lines_are_not_taken_for_removals(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    broken = MANAGERS_CSV.replace("dc.example.ru:8080,Петров,", 'dc.example.ru:8080,"Петров,')
    status, result = run_import(broken, "--allow-remove")
    assert status == 1
    assert [e["code"] for e in result["errors"]] == ["bad_quotes"]
    assert result["removed"] == []
