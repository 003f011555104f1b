"""Well-formedness errors in the middle of a file are `malformed_xml`."""
import pytest

from .samples import failure, report_xml


@pytest.mark.parametrize("broken", [
    lambda x: x.replace(b"</users>", b"</user>"),
    lambda x: x.replace(b"<users>", b"<users><<"),
    lambda x: x.replace(b'login="user0"', b'login="user0" login="x"'),
    lambda x: x.replace(b"<users>", b"<users>&undefined;"),
    lambda x: x + b"<second-root/>",
])
def test_malformed_document(broken):
    assert failure(broken(report_xml())).status == "malformed_xml"


def test_control_character_is_malformed():
    doc = b"<sysinfo><header><generated>2024-05-14T10:00:00\x01</generated></header></sysinfo>"
    assert failure(doc).status == "malformed_xml"
