"""A zip cut off in transit (no complete central directory) is `truncated` (E4)."""
import pytest

from .samples import failure, report_xml, zip_of

ZIP = zip_of({"sysinfo.xml": report_xml()})


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_cut_zip_is_truncated(keep):
    assert failure(ZIP[: int(len(ZIP) * keep)]).status == "truncated"


def test_zip_missing_its_last_byte_is_truncated():
    assert failure(ZIP[:-1]).status == "truncated"


def test_only_the_local_header_magic_is_truncated():
    assert failure(b"PK\x03\x04" + b"\0" * 20).status == "truncated"
