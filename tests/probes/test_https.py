"""The probes over HTTPS: a K/TE stand-in behind TLS with a self-signed certificate (accepted, as the
clients' `curl -k` does), and a TLS handshake against a plain-HTTP port (named tls_failed)."""
import asyncio
import datetime
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from smart.probes import checks, session
from smart.probes.models import Check
from smart.simulator.standin.http import Listener

from .conftest import target_for


@pytest.fixture(scope="module")
def tls_context(tmp_path_factory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "10234.te-cloud.ru")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return ctx


@pytest.fixture
def https_port(standin, kte, tls_context):
    listener = Listener(kte.handle, ssl=tls_context)
    port = standin._sync(listener.start())
    yield port
    standin._sync(listener.stop())


def test_every_check_over_https(kte, https_port):
    t = target_for(kte, port=443, host="10234.te-cloud.ru", connect_port=https_port, connect_scheme="https",
                   scheme="https", licman=False)
    page = {r.check: r for r in asyncio.run(checks.main_page_checks(t, {}))}
    assert page[Check.HTTP200].ok and page[Check.HTTP200].state == "ok"
    signed_in = {r.check: r for r in asyncio.run(session.session_checks(t))}
    assert signed_in[Check.AUTH].ok and signed_in[Check.KEY].ok
    result, content = asyncio.run(session.pull_status(t))
    assert result.ok and b"kserver_" in content


def test_tls_against_a_plain_port_is_named(kte):
    t = target_for(kte, connect_scheme="https", scheme="https", licman=False)
    page = {r.check: r for r in asyncio.run(checks.main_page_checks(t, {}))}
    assert not page[Check.HTTP200].ok and page[Check.HTTP200].state in ("tls_failed", "protocol_error")
    assert not page[Check.PROXY].ok
