"""Encodings dealers' editors write: UTF-8 with and without BOM, CP1251 (E15)."""
import codecs

import pytest

from smart.registry import csvio

ROW = "ООО Ёлка,elka,pw,online.kodeks.ru,docs,https,Иванов,a@dealer.ru\r\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (ROW.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ROW.encode("utf-8"), "utf-8-sig"),
        (ROW.encode("cp1251"), "cp1251"),
    ],
)
def test_encoding_is_detected_and_reported(data, encoding):
    parsed = csvio.parse(data)
    assert parsed.encoding == encoding
    assert parsed.errors == []
    assert parsed.rows[0].firm == "ООО Ёлка"
    assert parsed.rows[0].manager == "Иванов"


def test_bom_does_not_stick_to_the_first_field():
    data = codecs.BOM_UTF8 + b"srv.example.ru:443,m,a@b.ru,https,download,upload,process,ping,-1\r\n"
    assert csvio.parse(data).rows[0].name == "srv.example.ru:443"


def test_cp1251_managers_file_with_short_cyrillic_names():
    data = "romashka,Ёж,a@b.ru,smartupload,download,upload,process,donotping,-1\n".encode("cp1251")
    parsed = csvio.parse(data)
    assert parsed.encoding == "cp1251"
    assert parsed.rows[0].manager == "Ёж"
