"""Content sniffing (smart.formats.sniff): the kind comes from the bytes, never from the file name."""
import pytest

from smart.formats.sniff import sniff

from .samples import ERROR_PAGE_401, STATUS, sysinfo_zip


@pytest.mark.parametrize(
    "head, kind, status",
    [
        (sysinfo_zip(), "zip", None),
        (b"SQLite format 3\x00" + b"\x00" * 100, "sqlite", None),
        (b'<?xml version="1.0" encoding="windows-1251"?><sysinfo/>', "xml", None),
        (b"\xef\xbb\xbf<?xml version='1.0'?><sysinfo/>", "xml", None),
        (STATUS, "status", None),
        (b"# HELP kserver_up up\n# TYPE kserver_up gauge\nkserver_up 1\n", "status", None),
        (b"Date: Thu, 26 Nov 2026 10:00:00 GMT\nkserver_up 1\n", "status", None),
        (b"HTTP/1.1 200 OK\r\ndate: x\r\n\r\nkserver_up 1 1700000000000\r\n", "status", None),
        (ERROR_PAGE_401, "error_page", 401),
        (b"HTTP/1.1 503 Service Unavailable\r\n\r\n", "error_page", 503),
        (b"<!DOCTYPE html><html><title>404 Not Found</title></html>", "error_page", 404),
        (b"<HTML><BODY>maintenance</BODY></HTML>", "error_page", None),
        (b"", "empty", None),
        (b"  \r\n ", "empty", None),
        (b"\x00\x01\x02 junk", "unknown", None),
        (b"just some words\n", "unknown", None),
    ],
)
def test_sniff_kinds(head, kind, status):
    result = sniff(head, len(head))
    assert (result.kind, result.http_status) == (kind, status)
