"""A bare DOCTYPE without a subset or external id is harmless and accepted."""
from .samples import parse


def test_plain_doctype_is_accepted():
    doc = b'<!DOCTYPE sysinfo><sysinfo><header><generated>2024-05-14T10:00:00</generated></header></sysinfo>'
    assert parse(doc).sysinfo.header.generated_at is not None
