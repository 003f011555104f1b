"""A differently shaped vendor file is read by writing a mapping, not code (00-product decision)."""
from datetime import date, datetime, timezone

from smart.formats import load_mapping

from .samples import parse

VENDOR_XML = """<?xml version="1.0" encoding="windows-1251"?>
<SysInfo>
  <Info>
    <Created>14.05.2024 10:00:00</Created>
    <Server>6.4.5.46 (x64) [patch 12]</Server>
    <Catalogs><Catalog Path="/docs"/><Catalog Path="kodeks02"/></Catalogs>
  </Info>
  <Accounts>
    <Account>
      <Login>ivanov</Login><FIO>Иванов И. И.</FIO><Registered>01.02.2023</Registered>
      <Flags hidden="1"/>
    </Account>
  </Accounts>
  <Bases>
    <Base Name="vol01"><Err Code="2007">Нет прав</Err><Err>Том базы данных уже подключен</Err></Base>
  </Bases>
</SysInfo>""".encode("cp1251")

VENDOR_MAPPING = {
    "name": "vendor-example", "version": 1,
    "xml": {"root": "SysInfo"},
    "sections": {
        "header": {"kind": "object", "xml": "/SysInfo/Info", "fields": {
            "generated_at": {"xml": "Created", "type": "local_datetime", "format": "%d.%m.%Y %H:%M:%S",
                             "required": True},
            "server": {"xml": "Server"},
            "server_version": {"xml": "Server", "regex": r"^([\d.]+)"},
            "server_arch": {"xml": "Server", "regex": r"\((\w+)\)"},
            "server_patch": {"xml": "Server", "regex": r"\[patch ([^\]]+)\]"},
            "catalogues": {"xml": "Catalogs/Catalog/@Path", "multi": True}}},
        "users": {"kind": "list", "xml": "/SysInfo/Accounts/Account", "fields": {
            "login": {"xml": "Login", "required": True},
            "full_name": {"xml": "FIO"},
            "registered_on": {"xml": "Registered", "type": "date", "format": "%d.%m.%Y"}}},
        "volumes": {"kind": "list", "xml": "/SysInfo/Bases/Base", "fields": {"name": {"xml": "@Name"}},
                    "children": {"errors": {"kind": "list", "xml": "Err", "fields": {
                        "code": {"xml": "@Code", "type": "int"}, "message": {"xml": "text()"}}}}},
    },
}


def _parsed():
    return parse(VENDOR_XML, time_zone="Europe/Moscow", mapping=load_mapping(VENDOR_MAPPING)).sysinfo


def test_header_fields_by_child_elements_format_and_regex():
    header = _parsed().header
    assert header.generated_at == datetime(2024, 5, 14, 7, 0, tzinfo=timezone.utc)
    assert (header.server_version, header.server_arch, header.server_patch) == ("6.4.5.46", "x64", "12")
    assert header.catalogues == ("/docs", "kodeks02")


def test_records_with_child_element_fields():
    [user] = _parsed().users
    assert (user.login, user.full_name, user.registered_on) == ("ivanov", "Иванов И. И.", date(2023, 2, 1))


def test_nested_error_records():
    [volume] = _parsed().volumes
    assert [(e.code, e.message) for e in volume.errors] == [(2007, "Нет прав"), (None, "Том базы данных уже подключен")]


def test_unmapped_vendor_elements_are_reported():
    sysinfo = _parsed()
    assert {u.path for u in sysinfo.unknown} == {"/SysInfo/Accounts/Account/Flags"}
    assert sysinfo.mapping == "vendor-example@1" and sysinfo.sessions is None
