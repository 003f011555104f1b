"""Well-formed XML with another root is `not_sysinfo`; a sysinfo without a header is `bad_header`."""
from .samples import failure


def test_other_root_element():
    assert failure(b'<?xml version="1.0"?><configuration><a/></configuration>').status == "not_sysinfo"


def test_sysinfo_without_header():
    assert failure(b"<sysinfo><users/></sysinfo>").status == "bad_header"


def test_header_without_generation_time():
    assert failure(b"<sysinfo><header><regnum>1</regnum></header></sysinfo>").status == "bad_header"
