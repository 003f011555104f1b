"""The import-registry and export-registry commands: arguments, JSON shape, exit status."""
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smart.registry.models import Installation

from .conftest import MANAGERS_CSV


def test_json_output_has_the_documented_keys(dealer, managers, run_import):
    status, result = run_import(MANAGERS_CSV, "--dry-run", name="0042kodeks_manager_20260417.csv")
    assert status == 0
    assert {"dealer", "kind", "file", "encoding", "delimiter", "dry_run", "applied", "added", "changed",
            "removed", "errors"} <= set(result)
    assert (result["dealer"], result["kind"], result["encoding"], result["delimiter"]) == (
        "0042", "managers", "utf-8", ",")
    assert result["file"].endswith("0042kodeks_manager_20260417.csv")
    assert (result["dry_run"], result["applied"]) == (True, False)
    assert result["added"][0] == {"line": 1, "name": "cloud1.te-cloud.ru:443"}
    assert Installation.objects.count() == 0


def test_import_applies_without_dry_run(dealer, managers, run_import):
    status, result = run_import(MANAGERS_CSV)
    assert (status, result["dry_run"], result["applied"]) == (0, False, True)
    assert Installation.objects.count() == 4


def test_dealer_code_is_case_insensitive(dealer, managers, tmp_path):
    dealer.code = "AB12"
    dealer.save()
    path = tmp_path / "m.csv"
    path.write_text(MANAGERS_CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("import-registry", "--dealer", "ab12", str(path), "--json", "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["dealer"] == "AB12"


def test_unknown_dealer_is_a_command_error(db, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(MANAGERS_CSV, encoding="utf-8")
    with pytest.raises(CommandError, match="ZZZZ"):
        call_command("import-registry", "--dealer", "ZZZZ", str(path))


def test_missing_file_is_a_command_error(dealer):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import-registry", "--dealer", dealer.code, "/nonexistent/managers.csv")


def test_errors_exit_with_status_1(dealer, managers, run_import):
    status, result = run_import("romashka,Иванов,a@b.ru,smartupload,download,upload,process,ping,+40\n")
    assert status == 1 and result["errors"][0]["code"] == "bad_tz"


def test_human_output_lists_added_rows_and_summary(dealer, managers, run_import_text):
    status, text = run_import_text(MANAGERS_CSV, "--dry-run")
    assert status == 0
    lines = text.splitlines()
    assert "4 to add, 0 to change, 0 to remove" in lines[0] and "dry run" in lines[0]
    assert "+ line 3: romashka" in lines


def test_explicit_kind_option(dealer, managers, run_import):
    _status, result = run_import(MANAGERS_CSV, "--kind", "managers", "--dry-run")
    assert result["kind"] == "managers" and result["errors"] == []


def test_export_of_unknown_dealer_is_a_command_error(db):
    with pytest.raises(CommandError):
        call_command("export-registry", "--dealer", "ZZZZ", "--kind", "online")
