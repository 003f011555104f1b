"""The SQLite variant carries the same content as the XML one."""
from smart.formats import canonical

from .samples import make_report, parse, report_xml
from .sqlite_helpers import reference_sqlite


def test_full_report_round_trips():
    parsed = parse(reference_sqlite())
    assert parsed.source_format == "sqlite"
    assert parsed.sysinfo.content() == canonical(make_report(), xml=False).content()
    assert parsed.sysinfo.unknown == () and parsed.sysinfo.warnings == ()


def test_same_content_as_xml():
    assert parse(reference_sqlite()).sysinfo.content() == parse(report_xml()).sysinfo.content()


def test_application_id_and_version():
    data = reference_sqlite()
    assert data[68:72] == (1397576276).to_bytes(4, "big")  # "SMRT"
    assert parse(data).sysinfo.format_version == "1"


def test_source_file_is_not_modified(tmp_path):
    path = tmp_path / "CLIENT.sqlite"
    path.write_bytes(reference_sqlite())
    before = path.read_bytes()
    parse(str(path))
    assert path.read_bytes() == before
