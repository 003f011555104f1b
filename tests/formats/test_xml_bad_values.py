"""A value that does not convert becomes None with a warning; a record without its key is skipped."""
from .samples import parse

DOC = b"<sysinfo><header><generated>2024-05-14T10:00:00</generated></header>{}</sysinfo>"


def _sysinfo(body: bytes):
    return parse(DOC.replace(b"{}", body)).sysinfo


def test_bad_integer_is_none_with_a_warning():
    sysinfo = _sysinfo(b'<counters><user login="a" prints="many" saves="3"/></counters>')
    assert sysinfo.counters[0].prints is None and sysinfo.counters[0].saves == 3
    assert any("prints" in w and "many" in w for w in sysinfo.warnings)


def test_blank_value_is_none_without_a_warning():
    sysinfo = _sysinfo(b'<counters><user login="a" prints=" "/></counters>')
    assert sysinfo.counters[0].prints is None and sysinfo.warnings == ()


def test_record_without_required_key_is_skipped_with_a_warning():
    sysinfo = _sysinfo(b'<users><user full_name="No Login"/><user login="b"/></users>')
    assert [u.login for u in sysinfo.users] == ["b"]
    assert any("record skipped" in w for w in sysinfo.warnings)


def test_bad_timestamp_in_a_record_is_none():
    sysinfo = _sysinfo(b'<users><user login="a" last_login="not a time"/></users>')
    assert sysinfo.users[0].last_login_at is None and sysinfo.warnings


def test_decimal_comma_is_accepted():
    sysinfo = _sysinfo(b'<search_log><search time="2024-05-14T10:00:00" duration="1,5"/></search_log>')
    assert sysinfo.searches[0].duration_s == 1.5


def test_nan_duration_is_refused():
    sysinfo = _sysinfo(b'<search_log><search time="2024-05-14T10:00:00" duration="nan"/></search_log>')
    assert sysinfo.searches[0].duration_s is None and sysinfo.warnings


def test_boolean_spellings():
    body = b"".join(b'<search time="2024-05-14T10:00:00" error="%s"/>' % v for v in (b"1", b"true", b"no", b"\xd0\xb4\xd0\xb0"))
    flags = [s.error for s in _sysinfo(b"<search_log>" + body + b"</search_log>").searches]
    assert flags == [True, True, False, True]


def test_warnings_are_bounded():
    body = b"".join(b'<user login="u%d" prints="x"/>' % i for i in range(500))
    sysinfo = _sysinfo(b"<counters>" + body + b"</counters>")
    assert len(sysinfo.counters) == 500
    assert len(sysinfo.warnings) == 101 and "suppressed" in sysinfo.warnings[-1]
