"""Declared encodings are honoured; bytes that contradict the declaration are `bad_encoding`."""
from .samples import failure, parse

BODY = "<sysinfo><header><generated>2024-05-14T10:00:00</generated><legal_name>ООО Ромашка</legal_name></header></sysinfo>"


def _doc(declared: str | None, actual: str) -> bytes:
    decl = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    return (decl + BODY).encode(actual)


def test_windows_1251_declared_and_used():
    assert parse(_doc("windows-1251", "cp1251")).sysinfo.header.legal_name == "ООО Ромашка"


def test_cp1251_alias_and_case_are_accepted():
    assert parse(_doc("CP1251", "cp1251")).sysinfo.header.legal_name == "ООО Ромашка"


def test_utf8_with_bom():
    assert parse(b"\xef\xbb\xbf" + _doc("utf-8", "utf-8")).sysinfo.header.legal_name == "ООО Ромашка"


def test_windows_1251_bytes_declared_as_utf8():
    assert failure(_doc("utf-8", "cp1251")).status == "bad_encoding"


def test_windows_1251_bytes_without_declaration_default_to_utf8_and_fail():
    assert failure(_doc(None, "cp1251")).status == "bad_encoding"


def test_utf8_bytes_declared_as_windows_1251():
    exc = failure(_doc("windows-1251", "utf-8"))
    assert exc.status == "bad_encoding" and "UTF-8" in exc.detail


def test_unsupported_declared_encoding():
    assert failure(_doc("koi9-x", "utf-8")).status == "bad_encoding"
