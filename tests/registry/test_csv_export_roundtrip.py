"""Export writes the canonical file; import -> export -> import changes nothing (IM-4)."""
import io

from django.core.management import call_command

from smart.registry.importer import export_registry

from .conftest import MANAGERS_CSV, ONLINE_CSV

MESSY = (
    "\ufeff zvezda ; Петров ; petrov@dealer.ru ; smartupload ; DOWNLOAD ; noupload ; process ; donotping ; -1 ; 1800 ; 604800\r\n"
    "\r\n"
    "romashka;Иванов;\"ivanov@dealer.ru;support@dealer.ru\";smartupload;download;upload;process;donotping;2\r\n"
    "DC.Example.ru:8080;petrov;petrov@dealer.ru;HTTP;download;upload;process;donotping;Europe/Saratov;3600;604800\r\n"
    "cloud1.te-cloud.ru:443;ivanov;ivanov@dealer.ru;https;download;upload;process;ping;-1;3600;604800\r\n"
)


def test_canonical_managers_file_exports_byte_for_byte(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    assert export_registry(dealer, "managers") == MANAGERS_CSV.encode("utf-8")


def test_canonical_online_file_exports_byte_for_byte(dealer, managers, run_import):
    run_import(ONLINE_CSV)
    assert export_registry(dealer, "online") == ONLINE_CSV.encode("utf-8")


def test_messy_file_exports_canonically_and_reimports_without_changes(dealer, managers, run_import):
    status, result = run_import(MESSY.encode("utf-8"))
    assert status == 0 and len(result["added"]) == 4
    exported = export_registry(dealer, "managers")
    assert exported == MANAGERS_CSV.encode("utf-8")
    _status, again = run_import(exported)
    assert (again["added"], again["changed"], again["removed"]) == ([], [], [])


def test_export_command_writes_bytes_to_a_file(dealer, managers, run_import, tmp_path):
    run_import(ONLINE_CSV)
    out = tmp_path / "online.csv"
    call_command("export-registry", "--dealer", "0042", "--kind", "online", "--out", str(out))
    assert out.read_bytes() == ONLINE_CSV.encode("utf-8")
    assert out.stat().st_mode & 0o077 == 0


def test_export_command_writes_bytes_to_stdout(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8")
    call_command("export-registry", "--dealer", "0042", "--kind", "managers", stdout=stdout)
    assert raw.getvalue() == MANAGERS_CSV.encode("utf-8")


def test_archived_objects_are_not_exported(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    from smart.registry.models import Installation
    from django.utils import timezone

    Installation.objects.filter(name="zvezda").update(archived_at=timezone.now())
    assert b"zvezda" not in export_registry(dealer, "managers")
