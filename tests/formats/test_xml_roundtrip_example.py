"""A report with every section filled survives write -> parse unchanged (UTF-8 and windows-1251)."""
import pytest

from smart.formats import canonical

from .samples import make_report, parse, report_xml


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1251"])
def test_full_report_round_trips(encoding):
    report = make_report()
    parsed = parse(report_xml(report, encoding=encoding))
    assert parsed.kind == "sysinfo" and parsed.source_format == "xml" and parsed.container is None
    assert parsed.sysinfo.content() == canonical(report).content()
    assert parsed.sysinfo.unknown == () and parsed.sysinfo.warnings == ()
    assert parsed.observed_at == report.header.generated_at


def test_windows_1251_file_is_really_single_byte():
    data = report_xml(encoding="windows-1251")
    assert data.startswith(b"<?xml version='1.0' encoding='windows-1251'?>")
    assert "Иванов".encode("cp1251") in data


def test_provenance_is_recorded():
    sysinfo = parse(report_xml()).sysinfo
    assert sysinfo.mapping == "reference@1" and sysinfo.format_version == "1"
