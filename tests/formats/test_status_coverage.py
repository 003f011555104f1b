"""Every failure status in errors.py is produced by at least one real file built here."""
import gzip
import zipfile

import pytest

from smart.formats import Limits
from smart.formats.errors import STATUSES

from .samples import deflate_zeros_zip, failure, report_xml, zip_of
from .sqlite_helpers import patched, reference_sqlite


def _cases():
    xml = report_xml()
    db = reference_sqlite()
    return {
        "empty": (b"", {}),
        "error_page": (b"HTTP/1.1 503 Service Unavailable\r\n\r\n<html>maintenance</html>", {}),
        "unknown_content": (b"%PDF-1.7 not a report", {}),
        "too_large": (xml, {"limits": Limits(max_upload_bytes=1000)}),
        "truncated": (xml[: len(xml) // 2], {}),
        "zip_corrupt": (zip_of({"s.xml": xml}, zipfile.ZIP_STORED).replace(b"<users>", b"<usErs>", 1), {}),
        "zip_unsupported": (_encrypted(zip_of({"s.xml": xml})), {}),
        "zip_bomb": (deflate_zeros_zip(64 << 20), {}),
        "nested_archive": (zip_of({"s.xml": xml, "old.gz": gzip.compress(b"x")}), {}),
        "path_traversal": (zip_of({"../s.xml": xml}), {}),
        "multiple_reports": (zip_of({"a.xml": xml, "b.xml": xml}), {}),
        "not_sysinfo": (b"<configuration/>", {}),
        "xml_bomb": (b'<!DOCTYPE s [<!ENTITY a "aaaa">]><sysinfo>&a;</sysinfo>', {}),
        "external_entity": (b'<!DOCTYPE s [<!ENTITY a SYSTEM "file:///etc/passwd">]><sysinfo>&a;</sysinfo>', {}),
        "malformed_xml": (xml.replace(b"</users>", b"</user>"), {}),
        "bad_encoding": ('<?xml version="1.0" encoding="utf-8"?><sysinfo>Ромашка</sysinfo>'.encode("cp1251"), {}),
        "bad_header": (b"<sysinfo><users/></sysinfo>", {}),
        "sqlite_bad_header": (patched(db, 16, (1000).to_bytes(2, "big")), {}),
        "sqlite_corrupt": (patched(db, 4096 * 2, b"\x00"), {}),
        "sqlite_too_large": (db, {"limits": Limits(max_sqlite_pages=2)}),
        "malformed_metrics": (b"kserver_up 1\nkserver_down{a=b} 1\n", {}),
    }


def _encrypted(data: bytes) -> bytes:
    blob = bytearray(data)
    blob[6] |= 1
    blob[blob.rindex(b"PK\x01\x02") + 8] |= 1
    return bytes(blob)


def test_the_cases_cover_every_status():
    assert set(_cases()) == set(STATUSES)


@pytest.mark.parametrize("status", sorted(STATUSES))
def test_status_is_produced(status):
    data, kwargs = _cases()[status]
    assert failure(data, **kwargs).status == status
