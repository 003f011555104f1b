"""Pre-04-2026 rows end after the tz column and must still be accepted (D §5.3)."""
from smart.registry.importer import export_registry
from smart.registry.models import Installation

OLD = "romashka,Иванов,a@dealer.ru,smartupload,download,upload,process,donotping,-1\r\n"


def test_nine_column_row_gets_default_intervals(dealer, managers, run_import):
    status, _result = run_import(OLD)
    assert status == 0
    inst = Installation.objects.get(name="romashka")
    assert inst.legacy_columns == 9
    assert (inst.expected_interval_s, inst.asrp_period_s) == (3600, 604800)


def test_nine_column_row_exports_as_nine_columns(dealer, managers, run_import):
    run_import(OLD)
    assert export_registry(dealer, "managers") == OLD.encode()


def test_nine_column_row_does_not_reset_intervals_set_elsewhere(dealer, managers, run_import):
    run_import(OLD)
    Installation.objects.filter(name="romashka").update(expected_interval_s=900)
    status, result = run_import(OLD)
    assert result["changed"] == []
    assert Installation.objects.get(name="romashka").expected_interval_s == 900


def test_upgrading_a_row_to_eleven_columns_is_a_change(dealer, managers, run_import):
    run_import(OLD)
    _status, result = run_import(OLD.replace("-1\r\n", "-1,3600,604800\r\n"))
    assert [item["fields"] for item in result["changed"]] == [["legacy_columns"]]
