"""Sniffing: kinds and HTTP statuses from the first bytes, including the header-only case."""
import pytest

from smart.formats.sniff import sniff


@pytest.mark.parametrize("head, kind, status", [
    (b"Date: Tue, 14 May 2024 10:00:00 GMT\r\n", "empty", None),
    (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", "empty", 200),
    (b"HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\nHTTP/1.1 200 OK\r\n\r\nkserver_up 1\r\n", "status", None),
    (b"# a free comment\nkserver_up 1\n", "status", None),
    (b"\xff\xfe<\x00s\x00/\x00>\x00", "xml", None),
    (b"SQLite format 3\x00", "sqlite", None),
    (b"PK\x05\x06" + b"\x00" * 18, "zip", None),
])
def test_kinds(head, kind, status):
    assert (sniff(head, len(head)).kind, sniff(head, len(head)).http_status) == (kind, status)
