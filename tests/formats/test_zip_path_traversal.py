"""Member names that would escape an extraction directory are `path_traversal`."""
import pytest

from smart.formats.safezip import unsafe_name

from .samples import failure, report_xml, zip_of


@pytest.mark.parametrize("name", ["../sysinfo.xml", "a/../../sysinfo.xml", "/etc/sysinfo.xml",
                                  "..\\..\\sysinfo.xml", "C:\\sysinfo.xml", "c:/x/sysinfo.xml"])
def test_traversing_member_names_are_refused(name):
    assert failure(zip_of({name: report_xml()})).status == "path_traversal"


@pytest.mark.parametrize("name", ["sysinfo.xml", "dir/sysinfo.xml", "a..b.xml", "КЛИЕНТ.xml"])
def test_ordinary_names_pass(name):
    assert not unsafe_name(name)
