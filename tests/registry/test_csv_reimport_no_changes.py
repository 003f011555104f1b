"""Importing the same file twice: the second time nothing changes (idempotent)."""
from .conftest import MANAGERS_CSV, ONLINE_CSV


def test_second_import_of_managers_reports_no_changes(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    status, result = run_import(MANAGERS_CSV)
    assert status == 0
    assert (result["added"], result["changed"], result["removed"], result["unchanged"]) == ([], [], [], 4)


def test_second_import_of_online_reports_no_changes(dealer, managers, run_import):
    run_import(ONLINE_CSV)
    _status, result = run_import(ONLINE_CSV)
    assert (result["added"], result["changed"], result["removed"], result["unchanged"]) == ([], [], [], 2)


def test_same_content_in_another_encoding_and_delimiter_reports_no_changes(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    excel = MANAGERS_CSV.replace(",", ";").replace("ivanov@dealer.ru;support@dealer.ru",
                                                   '"ivanov@dealer.ru;support@dealer.ru"')
    _status, result = run_import(excel.replace(";", " ; ").encode("cp1251"))
    assert (result["encoding"], result["delimiter"]) == ("cp1251", ";")
    assert (result["added"], result["changed"], result["errors"]) == ([], [], [])
