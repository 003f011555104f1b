"""managers.csv: block A (address:port) and block B (client names) in any order (D §5.3)."""
from smart.registry.models import Installation

from .conftest import MANAGERS_CSV


def test_both_blocks_in_any_order_are_imported(dealer, managers, run_import):
    lines = MANAGERS_CSV.splitlines(keepends=True)
    shuffled = "".join([lines[2], lines[0], lines[3], lines[1]])
    status, result = run_import(shuffled)
    assert status == 0 and result["applied"] is True
    assert sorted(i["name"] for i in result["added"]) == [
        "cloud1.te-cloud.ru:443", "dc.example.ru:8080", "romashka", "zvezda"]
    kinds = dict(Installation.objects.values_list("name", "kind"))
    assert kinds == {"cloud1.te-cloud.ru:443": "pulled", "dc.example.ru:8080": "pulled",
                     "romashka": "pushed", "zvezda": "pushed"}


def test_pulled_row_fields(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    inst = Installation.objects.get(name="dc.example.ru:8080")
    assert (inst.address, inst.port, inst.scheme, inst.ping) == ("dc.example.ru", 8080, "http", False)
    assert (inst.download, inst.upload, inst.process) == (True, True, True)
    assert inst.time_zone == "Europe/Saratov"
    assert inst.manager == managers[1]
    assert inst.alert_emails == "petrov@dealer.ru"
    assert inst.legacy_columns == 11


def test_pushed_row_fields(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    inst = Installation.objects.get(name="zvezda")
    assert (inst.address, inst.port, inst.scheme, inst.ping) == ("", None, "", False)
    assert (inst.download, inst.upload, inst.process) == (True, False, True)
    assert (inst.expected_interval_s, inst.asrp_period_s) == (1800, 604800)
    assert inst.time_zone == "Europe/Moscow"


def test_export_puts_block_a_first(dealer, managers, run_import):
    from smart.registry.importer import export_registry

    run_import("zvezda,Петров,p@d.ru,smartupload,download,upload,process,donotping,-1\n"
               "srv.example.ru:443,Петров,p@d.ru,https,download,upload,process,ping,-1\n")
    lines = export_registry(dealer, "managers").decode().splitlines()
    assert [line.split(",")[0] for line in lines] == ["srv.example.ru:443", "zvezda"]
