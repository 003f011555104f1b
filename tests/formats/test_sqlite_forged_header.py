"""A header that lies (page size, versions, payload fractions, reserved space) is `sqlite_bad_header`."""
import pytest

from .samples import failure
from .sqlite_helpers import patched, reference_sqlite

DB = reference_sqlite()


@pytest.mark.parametrize("offset, value", [
    (16, (1000).to_bytes(2, "big")),  # page size not a power of two
    (16, (256).to_bytes(2, "big")),  # page size below 512
    (18, b"\x07"),  # write version
    (19, b"\x09"),  # read version
    (21, b"\x41"),  # max embedded payload fraction must be 64
    (16, b"\x00\x00"),  # page size 0
    (44, (9).to_bytes(4, "big")),  # schema format
    (56, (7).to_bytes(4, "big")),  # text encoding
])
def test_forged_header_field(offset, value):
    assert failure(patched(DB, offset, value)).status == "sqlite_bad_header"


def test_header_claiming_more_pages_than_the_file_has_is_truncated():
    assert failure(patched(DB, 28, (len(DB) // 4096 + 5).to_bytes(4, "big"))).status == "truncated"
