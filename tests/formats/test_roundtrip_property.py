"""Property: for any report, write -> parse gives the report back (in canonical form)."""
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from smart.formats import canonical, parse_report, sqlite_bytes, write_xml

from .samples import RECEIVED, zip_of
from .strategies import ZONES, reports


@settings(max_examples=120, deadline=None)
@given(report=reports(), zone=st.sampled_from(ZONES), encoding=st.sampled_from(["utf-8", "windows-1251"]))
def test_xml_round_trip(report, zone, encoding):
    parsed = parse_report(write_xml(report, time_zone=zone, encoding=encoding), time_zone=zone, received_at=RECEIVED)
    assert parsed.sysinfo.content() == canonical(report).content()
    assert parsed.sysinfo.unknown == () and parsed.sysinfo.warnings == ()


@settings(max_examples=60, deadline=None)
@given(report=reports(), zone=st.sampled_from(ZONES))
def test_sqlite_round_trip(report, zone):
    parsed = parse_report(sqlite_bytes(report, time_zone=zone), time_zone=zone, received_at=RECEIVED)
    assert parsed.sysinfo.content() == canonical(report, xml=False).content()
    assert parsed.sysinfo.unknown == () and parsed.sysinfo.warnings == ()


@settings(max_examples=30, deadline=None)
@given(report=reports(), sqlite=st.booleans())
def test_zip_round_trip(report, sqlite):
    zone = "Europe/Moscow"
    member = sqlite_bytes(report, time_zone=zone) if sqlite else write_xml(report, time_zone=zone)
    data = zip_of({"sysinfo.sqlite" if sqlite else "sysinfo.xml": member}, zipfile.ZIP_DEFLATED)
    parsed = parse_report(data, time_zone=zone, received_at=RECEIVED)
    assert parsed.container == "zip"
    assert parsed.sysinfo.content() == canonical(report, xml=not sqlite).content()


def test_windows_1251_keeps_characters_it_cannot_encode():
    """Found by the property above: libxml2's iconv dropped plane-14 tag characters from a cp1251 file."""
    from datetime import datetime, timezone

    from smart.formats.model import Header, SysinfoReport

    for text in ("\U000e0000", "\U000e0001", "ООО «Ромашка» 😀"):
        report = SysinfoReport(header=Header(generated_at=datetime(2015, 1, 1, tzinfo=timezone.utc),
                                             sysinfo_version=text, legal_name=text))
        data = write_xml(report, time_zone="Europe/Moscow", encoding="windows-1251")
        assert data.startswith(b"<?xml version='1.0' encoding='windows-1251'?>")
        header = parse_report(data, time_zone="Europe/Moscow", received_at=RECEIVED).sysinfo.header
        assert (header.sysinfo_version, header.legal_name) == (text, text)
