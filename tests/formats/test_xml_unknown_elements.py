"""Unknown elements and attributes are kept as a report (path, count, sample), never fatal."""
from .samples import parse, report_xml


def _with(extra_users: bytes = b"", extra_root: bytes = b"") -> bytes:
    xml = report_xml()
    xml = xml.replace(b"<users>", b"<users>" + extra_users, 1)
    return xml.replace(b"</sysinfo>", extra_root + b"</sysinfo>")


def _unknown(data):
    return {u.path: u for u in parse(data).sysinfo.unknown}


def test_unknown_section_is_counted_with_its_children():
    unknown = _unknown(_with(extra_root=b"<licman_log><entry n='1'/><entry n='2'/></licman_log>"))
    assert unknown["/sysinfo/licman_log"].count == 1
    assert unknown["/sysinfo/licman_log/entry"].count == 2


def test_unknown_attribute_on_a_record_is_reported_and_the_record_kept():
    data = _with(b'<user login="extra" nickname="Vasya"/>')
    sysinfo = parse(data).sysinfo
    assert "extra" in [u.login for u in sysinfo.users]
    unknown = {u.path: u for u in sysinfo.unknown}
    assert unknown["/sysinfo/users/user/@nickname"].sample == "Vasya"


def test_unknown_child_of_a_record_is_reported():
    unknown = _unknown(_with(b'<user login="extra"><avatar size="big"/></user>'))
    assert unknown["/sysinfo/users/user/avatar"].count == 1
    assert 'size="big"' in unknown["/sysinfo/users/user/avatar"].sample


def test_unknown_attribute_on_a_container_and_the_root():
    data = report_xml().replace(b"<users>", b'<users total="3">').replace(b'version="1"', b'version="1" vendor="x"')
    unknown = _unknown(data)
    assert "/sysinfo/users/@total" in unknown and "/sysinfo/@vendor" in unknown


def test_known_data_is_unaffected_by_unknown_neighbours():
    plain = parse(report_xml()).sysinfo
    noisy = parse(_with(b"<note>x</note>", b"<extra/>")).sysinfo
    assert noisy.content() == plain.content()


def test_the_list_of_unknown_paths_is_bounded():
    many = b"".join(b"<t%d/>" % i for i in range(1000))
    sysinfo = parse(_with(extra_root=many)).sysinfo
    assert len(sysinfo.unknown) <= 200
    assert any("further unknown paths" in w for w in sysinfo.warnings)
