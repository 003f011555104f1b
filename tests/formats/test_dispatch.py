"""parse_report dispatches on content, never on the name, and takes bytes or a path."""
import pytest

from smart.formats import Limits

from .samples import failure, parse, report_xml, zip_of


def test_path_input(tmp_path):
    path = tmp_path / "CLIENT.status"  # a misleading name: the content decides
    path.write_bytes(report_xml())
    assert parse(str(path)).kind == "sysinfo"
    assert parse(path).kind == "sysinfo"


def test_bytearray_input():
    assert parse(bytearray(report_xml())).kind == "sysinfo"


@pytest.mark.parametrize("data", [b"\x00\x01\x02 junk", b"just some words\n", b"%PDF-1.7\n..."])
def test_unknown_content(data):
    assert failure(data).status == "unknown_content"


def test_upload_size_limit():
    assert failure(report_xml(), limits=Limits(max_upload_bytes=100)).status == "too_large"


def test_raw_sqlite_and_zip_and_status_kinds():
    from .sqlite_helpers import reference_sqlite

    assert parse(reference_sqlite()).source_format == "sqlite"
    assert parse(zip_of({"x.xml": report_xml()})).container == "zip"
    assert parse(b"kserver_up 1\n").kind == "status"


def test_missing_file_propagates(tmp_path):
    with pytest.raises(FileNotFoundError):
        parse(str(tmp_path / "nope.zip"))
