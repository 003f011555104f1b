"""A webhook notification as a receiver sees it: a signature over timestamp and body, checked with the
shared secret; a replay outside the tolerance is refused; retries carry the same delivery id."""
import json
import time
from datetime import timedelta

import pytest

from smart.notify.models import Channel, Notification, Route
from smart.notify.transports.webhook import verify_signature
from tests.notify_transports.conftest import receiver  # noqa: F401 - a local HTTP receiver

from .conftest import deliver

pytestmark = pytest.mark.django_db
SECRET = "dealer-shared-secret"


@pytest.fixture
def hook(dealer, receiver):  # noqa: F811
    return Route.objects.create(dealer=dealer, name="hook", channel=Channel.WEBHOOK, target=receiver.url,
                                secret=SECRET, max_priority="P2")


def test_the_receiver_verifies_timestamp_and_body(fired, hook, receiver):  # noqa: F811
    deliver(fired[1])
    [request] = receiver.requests
    stamp, signature = request.headers["x-smart-timestamp"], request.headers["x-smart-signature"]
    assert verify_signature(SECRET, stamp, request.body, signature)
    assert json.loads(request.body)["alert"] == "KodeksTcpStatus"
    assert not verify_signature(SECRET, stamp, request.body, signature, now=int(stamp) + 301)  # replayed later
    assert not verify_signature("another-secret", stamp, request.body, signature)


def test_a_retry_carries_the_same_delivery_id_and_a_fresh_signature(fired, hook, receiver):  # noqa: F811
    receiver.status = 503
    deliver(fired[1])
    row = Notification.objects.get()
    assert row.attempts == 1 and row.state == Notification.State.QUEUED
    receiver.status = 204
    time.sleep(1.1)  # a new second: a new timestamp
    from smart.notify.sender import send_due

    assert send_due(row.not_before + timedelta(seconds=1)) == 1
    failed, delivered = receiver.requests
    assert failed.headers["x-smart-delivery"] == delivered.headers["x-smart-delivery"] == \
        f"smart.n{row.pk}.{int(row.created_at.timestamp())}"
    assert failed.headers["x-smart-timestamp"] != delivered.headers["x-smart-timestamp"]
    for request in (failed, delivered):
        assert verify_signature(SECRET, request.headers["x-smart-timestamp"], request.body,
                                request.headers["x-smart-signature"])


def test_a_webhook_route_without_a_secret_fails_for_good(fired, dealer, receiver):  # noqa: F811
    Route.objects.create(dealer=dealer, name="hook", channel=Channel.WEBHOOK, target=receiver.url, max_priority="P2")
    deliver(fired[1])
    row = Notification.objects.get()
    assert row.state == Notification.State.FAILED and "secret" in row.last_error and receiver.requests == []
