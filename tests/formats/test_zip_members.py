"""Which member of a zip is the report: exactly one XML or SQLite member; other files are noted."""
import zipfile

from smart.formats import sqlite_bytes

from .samples import ZONE, failure, make_report, parse, report_xml, zip_of


def test_single_xml_member():
    parsed = parse(zip_of({"CLIENT.xml": report_xml()}))
    assert (parsed.container, parsed.member, parsed.source_format) == ("zip", "CLIENT.xml", "xml")


def test_single_sqlite_member():
    parsed = parse(zip_of({"sysinfo.db": sqlite_bytes(make_report(), time_zone=ZONE)}))
    assert parsed.source_format == "sqlite" and parsed.member == "sysinfo.db"


def test_stored_members_work():
    assert parse(zip_of({"sysinfo.xml": report_xml()}, zipfile.ZIP_STORED)).kind == "sysinfo"


def test_other_files_and_a_status_member_are_ignored_with_a_warning():
    status = b"date: Tue, 14 May 2024 10:00:00 GMT\nkserver_up 1\n"
    parsed = parse(zip_of({"readme.txt": b"hello", "sysinfo.xml": report_xml(), "CLIENT.status": status}))
    assert parsed.kind == "sysinfo"
    assert any("readme.txt" in w and "CLIENT.status" in w for w in parsed.warnings)


def test_directories_are_skipped():
    data = zip_of({"dir/": b"", "dir/sysinfo.xml": report_xml()})
    assert parse(data).member == "dir/sysinfo.xml"


def test_two_reports_are_ambiguous():
    data = zip_of({"a.xml": report_xml(), "b.xml": report_xml()})
    assert failure(data).status == "multiple_reports"


def test_no_report_member():
    assert failure(zip_of({"readme.txt": b"hello"})).status == "not_sysinfo"


def test_empty_zip():
    assert failure(zip_of({})).status == "not_sysinfo"


def test_error_page_as_the_only_member():
    page = b"<html><head><title>503 Service Unavailable</title></head></html>"
    assert failure(zip_of({"sysinfo.xml": page})).status == "error_page"


def test_encrypted_member_is_unsupported():
    data = bytearray(zip_of({"sysinfo.xml": report_xml()}))
    data[6] |= 0x01  # local header flags
    central = data.rindex(b"PK\x01\x02")
    data[central + 8] |= 0x01  # central directory flags
    assert failure(bytes(data)).status == "zip_unsupported"


def test_unknown_compression_method_is_unsupported():
    data = bytearray(zip_of({"sysinfo.xml": report_xml()}))
    central = data.rindex(b"PK\x01\x02")
    data[central + 10] = 99  # method
    data[8] = 99
    assert failure(bytes(data)).status == "zip_unsupported"
