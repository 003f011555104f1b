"""E16: a section absent from the file is None (not available); present but empty is ()."""
from .samples import parse

MINIMAL = b"<sysinfo><header><generated>2024-05-14T10:00:00</generated></header>{}</sysinfo>"


def test_absent_sections_are_none():
    sysinfo = parse(MINIMAL.replace(b"{}", b"")).sysinfo
    assert sysinfo.users is None and sysinfo.searches is None and sysinfo.kassist_links is None
    assert sysinfo.regfile is None and sysinfo.protection_key is None and sysinfo.licences is None


def test_empty_sections_are_empty_tuples():
    sysinfo = parse(MINIMAL.replace(b"{}", b"<users/><search_log></search_log>")).sysinfo
    assert sysinfo.users == () and sysinfo.searches == ()


def test_missing_counter_is_none_not_zero():
    doc = MINIMAL.replace(b"{}", b'<counters><user login="a" db_requests="5"/></counters>')
    counters = parse(doc).sysinfo.counters[0]
    assert counters.db_requests == 5 and counters.prints is None


def test_licence_block_without_expiry_is_visible():
    doc = MINIMAL.replace(b"{}", b'<regfile seats="10"><licence product="P"/></regfile>')
    sysinfo = parse(doc).sysinfo
    assert sysinfo.regfile.seats == 10 and sysinfo.licences[0].expires_on is None


def test_empty_protection_key_element_means_not_available():
    assert parse(MINIMAL.replace(b"{}", b"<protection_key/>")).sysinfo.protection_key is None


def test_seats_used_falls_back_to_session_count():
    doc = MINIMAL.replace(b"{}", b'<sessions><session login="a"/><session login="b"/></sessions>')
    assert parse(doc).sysinfo.seats_used == 2
