"""Archives inside the zip are never unpacked: `nested_archive`, by name or by magic bytes."""
import gzip

from .samples import failure, report_xml, zip_of


def test_zip_inside_zip():
    inner = zip_of({"sysinfo.xml": report_xml()})
    assert failure(zip_of({"inner.zip": inner})).status == "nested_archive"


def test_archive_beside_a_valid_report():
    data = zip_of({"sysinfo.xml": report_xml(), "old.gz": gzip.compress(b"x")})
    assert failure(data).status == "nested_archive"


def test_archive_disguised_by_its_name():
    inner = zip_of({"sysinfo.xml": report_xml()})
    assert failure(zip_of({"sysinfo.xml": inner})).status == "nested_archive"


def test_gzip_disguised_as_xml():
    assert failure(zip_of({"sysinfo.xml": gzip.compress(report_xml())})).status == "nested_archive"
