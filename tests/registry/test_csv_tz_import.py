"""The legacy tz column becomes an IANA zone on import and is written back on export (E1)."""
import pytest

from smart.registry.importer import export_registry
from smart.registry.models import Installation

ROW = "romashka,Иванов,a@dealer.ru,smartupload,download,upload,process,donotping,{tz},3600,604800\r\n"


@pytest.mark.parametrize(
    "tz, zone, exported",
    [("-1", "Europe/Moscow", "-1"), ("0", "Europe/Saratov", "0"), ("+2", "Asia/Omsk", "+2"),
     ("2", "Asia/Omsk", "+2"), ("Asia/Novosibirsk", "Asia/Novosibirsk", "Asia/Novosibirsk"),
     ("europe/moscow", "Europe/Moscow", "-1")],
)
def test_tz_is_stored_as_iana_and_exported_as_legacy(dealer, managers, run_import, tz, zone, exported):
    status, _result = run_import(ROW.format(tz=tz))
    assert status == 0
    assert Installation.objects.get(name="romashka").time_zone == zone
    assert export_registry(dealer, "managers") == ROW.format(tz=exported).encode()
