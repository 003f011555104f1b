"""Entity declarations (billion laughs) and resource exhaustion are `xml_bomb`, never expanded."""
import time

from .samples import failure

ENTITIES = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
)
BILLION_LAUGHS = f'<?xml version="1.0"?><!DOCTYPE sysinfo [{ENTITIES}]><sysinfo><a>&lol9;</a></sysinfo>'.encode()


def test_billion_laughs_is_rejected_quickly():
    start = time.perf_counter()
    assert failure(BILLION_LAUGHS).status == "xml_bomb"
    assert time.perf_counter() - start < 1


def test_a_single_internal_entity_is_already_rejected():
    doc = b'<!DOCTYPE sysinfo [<!ENTITY x "y">]><sysinfo><header><generated>&x;</generated></header></sysinfo>'
    assert failure(doc).status == "xml_bomb"


def test_doctype_after_a_long_comment_is_still_seen():
    doc = b"<!--" + b"pad " * 1000 + b'--><!DOCTYPE sysinfo [<!ENTITY x "y">]><sysinfo/>'
    assert failure(doc).status == "xml_bomb"


def test_prolog_longer_than_the_scan_window_is_refused():
    doc = b"<!--" + b"x" * 70_000 + b'--><!DOCTYPE sysinfo [<!ENTITY x "y">]><sysinfo/>'
    assert failure(doc).status == "malformed_xml"


def test_deep_nesting_is_a_bomb():
    doc = b"<sysinfo>" + b"<a>" * 300 + b"</a>" * 300 + b"</sysinfo>"
    assert failure(doc).status == "xml_bomb"


def test_huge_text_node_is_a_bomb():
    doc = b"<sysinfo><a>" + b"x" * (12 * 1024 * 1024) + b"</a></sysinfo>"
    assert failure(doc).status == "xml_bomb"
