"""Online passwords go to the secret store encrypted and never appear in output (IM-5, X13)."""
from django.db import connection

from smart.registry.models import OnlineAccess, RegistryImport

from .conftest import ONLINE_CSV

PASSWORD = 'p,a"ss'


def test_password_is_stored_encrypted(dealer, managers, run_import):
    run_import(ONLINE_CSV)
    access = OnlineAccess.objects.get(login="romashka")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT password FROM {OnlineAccess._meta.db_table} WHERE id = %s", [access.id])
        [raw] = cursor.fetchone()
    assert raw and raw != PASSWORD and PASSWORD not in raw
    assert access.password == PASSWORD


def test_password_never_printed(dealer, managers, run_import, run_import_text):
    for args in ((), ("--dry-run",)):
        _status, text = run_import_text(ONLINE_CSV, *args)
        assert PASSWORD not in text and "secret-2" not in text
    changed = ONLINE_CSV.replace("secret-2", "secret-9")
    _status, result = run_import(changed, "--dry-run")
    assert "secret-9" not in str(result) and "secret-2" not in str(result)
    assert result["changed"][0]["changes"] == [{"field": "password", "secret": True}]


def test_password_not_printed_in_error_messages(dealer, managers, run_import_text):
    bad = ONLINE_CSV.replace(",online.kodeks.ru,docs2,", ",online.kodeks.ru/x,docs2,")
    status, text = run_import_text(bad)
    assert status == 1 and "secret-2" not in text


def test_only_the_hash_of_the_file_is_kept(dealer, managers, run_import):
    import hashlib

    run_import(ONLINE_CSV)
    record = RegistryImport.objects.get()
    assert record.file_sha256 == hashlib.sha256(ONLINE_CSV.encode()).hexdigest()
    assert (record.kind, record.added, record.changed, record.removed) == ("online", 2, 0, 0)


def test_dry_run_records_no_import(dealer, managers, run_import):
    run_import(ONLINE_CSV, "--dry-run")
    assert RegistryImport.objects.count() == 0


def test_plan_repr_does_not_show_passwords(dealer, managers, run_import):
    from smart.registry.importer import plan_import

    run_import(ONLINE_CSV)
    plan = plan_import(dealer, ONLINE_CSV.replace("secret-2", "secret-9").encode())
    assert plan.changed and "secret" not in repr(plan) and "secret" not in repr(plan.changed)
