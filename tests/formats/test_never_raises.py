"""Property: on arbitrary or mutated input, parse_report returns or raises ParseFailure, nothing else."""
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smart.formats import ParseFailure, sqlite_bytes

from .samples import ZONE, make_report, parse, report_xml, zip_of

SEEDS = {
    "xml": report_xml(make_report(users=2, searches=2)),
    "xml1251": report_xml(make_report(users=2, searches=2), encoding="windows-1251"),
    "sqlite": sqlite_bytes(make_report(users=2, searches=2), time_zone=ZONE),
    "zip": zip_of({"sysinfo.xml": report_xml(make_report(users=2, searches=2))}),
    "zip_stored": zip_of({"sysinfo.xml": report_xml(make_report(users=1, searches=1))}, zipfile.ZIP_STORED),
    "status": b'date: Tue, 14 May 2024 10:00:00 GMT\r\n# TYPE kserver_up gauge\r\nkserver_up{path="/docs"} 1\r\n',
    "error": b"HTTP/1.1 401 Unauthorized\r\n\r\n<html><title>401</title></html>",
}


def _parse(data: bytes) -> None:
    try:
        parse(data)
    except ParseFailure:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(data):
    _parse(data)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(SEEDS)), st.sampled_from([b"", b"<", b"PK\x03\x04", b"SQLite format 3\x00", b"<?xml"]),
       st.binary(max_size=64))
def test_arbitrary_bytes_behind_a_magic(kind, magic, tail):
    _parse(magic + tail)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(list(SEEDS)), data=st.data())
def test_mutated_valid_files(seed, data):
    blob = bytearray(SEEDS[seed])
    for _ in range(data.draw(st.integers(1, 8))):
        op = data.draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        at = data.draw(st.integers(0, max(len(blob) - 1, 0)))
        if op == "flip" and blob:
            blob[at] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "set" and blob:
            blob[at] = data.draw(st.integers(0, 255))
        elif op == "insert":
            blob[at:at] = data.draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del blob[at: at + data.draw(st.integers(1, 16))]
        elif op == "truncate":
            del blob[at:]
    _parse(bytes(blob))
