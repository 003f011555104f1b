"""Webhooks over real HTTP to a local receiver: signature, and how answers become typed errors."""
import json
import socket
import time

import pytest

from smart.notify.transports import PermanentError, TransientError
from smart.notify.transports.webhook import post_webhook, sign, verify_signature

SECRET = "s3cr3t-shared-with-the-dealer"
PAYLOAD = {"status": "firing", "alert": "KodeksBehindProxyDown", "hosts": ["завод-звезда.local"], "count": 4}


def test_signed_post_verifies_with_the_secret_only(receiver):
    assert post_webhook(receiver.url, PAYLOAD, SECRET) == 204
    [request] = receiver.requests
    assert request.method == "POST" and request.path == "/hooks/smart"
    assert request.headers["content-type"].startswith("application/json")
    assert json.loads(request.body) == PAYLOAD
    signature, stamp = request.headers["x-smart-signature"], request.headers["x-smart-timestamp"]
    assert signature.startswith("sha256=")
    assert abs(int(stamp) - time.time()) < 5
    assert verify_signature(SECRET, stamp, request.body, signature)
    assert not verify_signature("another-secret", stamp, request.body, signature)
    assert not verify_signature(SECRET, stamp, request.body + b" ", signature)
    assert not verify_signature(SECRET, stamp, request.body, None)
    assert not verify_signature(SECRET, None, request.body, signature)


def test_the_signature_covers_the_timestamp(receiver):
    post_webhook(receiver.url, PAYLOAD, SECRET)
    [request] = receiver.requests
    signature, stamp = request.headers["x-smart-signature"], int(request.headers["x-smart-timestamp"])
    assert not verify_signature(SECRET, stamp + 1, request.body, signature)  # a moved timestamp breaks it
    assert not verify_signature(SECRET, stamp, request.body, sign(SECRET, stamp + 1, request.body))


def test_stale_or_future_timestamps_are_refused():
    body = b'{"status":"firing"}'
    stamp = int(time.time()) - 301
    assert not verify_signature(SECRET, stamp, body, sign(SECRET, stamp, body))  # a replay of an old request
    assert verify_signature(SECRET, stamp, body, sign(SECRET, stamp, body), tolerance_s=600)
    future = int(time.time()) + 301
    assert not verify_signature(SECRET, future, body, sign(SECRET, future, body))
    assert not verify_signature(SECRET, "12ab", body, sign(SECRET, "12ab", body))


def test_the_delivery_id_is_sent_when_given(receiver):
    post_webhook(receiver.url, PAYLOAD, SECRET, delivery_id="smart.n42.1700000000")
    post_webhook(receiver.url, PAYLOAD, SECRET)
    first, second = receiver.requests
    assert first.headers["x-smart-delivery"] == "smart.n42.1700000000"
    assert "x-smart-delivery" not in second.headers


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
def test_server_errors_and_throttling_are_transient(receiver, status):
    receiver.status = status
    with pytest.raises(TransientError) as caught:
        post_webhook(receiver.url, PAYLOAD, SECRET)
    assert caught.value.code == status


def test_retry_after_header_is_passed_on(receiver):
    receiver.status, receiver.headers = 503, [("Retry-After", "30")]
    with pytest.raises(TransientError) as caught:
        post_webhook(receiver.url, PAYLOAD, SECRET)
    assert caught.value.retry_after == 30


@pytest.mark.parametrize("status", [404, 400, 401, 410])
def test_other_client_errors_are_permanent(receiver, status):
    receiver.status = status
    with pytest.raises(PermanentError) as caught:
        post_webhook(receiver.url, PAYLOAD, SECRET)
    assert caught.value.code == status


def test_redirects_are_not_followed(receiver):
    receiver.status, receiver.headers = 302, [("Location", "http://example.com/")]
    with pytest.raises(PermanentError):
        post_webhook(receiver.url, PAYLOAD, SECRET)
    assert len(receiver.requests) == 1


def test_connection_refused_is_transient():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TransientError) as caught:
        post_webhook(f"http://127.0.0.1:{port}/hook?token=abc", PAYLOAD, SECRET, timeout=3)
    assert "token=abc" not in str(caught.value)


def test_secret_is_required():
    with pytest.raises(ValueError):
        post_webhook("http://127.0.0.1:9/hook", PAYLOAD, "")
