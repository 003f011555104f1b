"""End-to-end alert tests: a real input (a report through ingest and the pipeline, a stand-in fault, a
moved clock) → the alert → a message in the real SMTP sink / Telegram stand-in → RESOLVED.

Each test module declares `COVERS = {...}`: the catalogue alerts it drives end to end; test_coverage.py
fails while any catalogue alert is covered by no module."""
import pytest

from tests.alerts.conftest import fleet  # noqa: F401 - the same registry
from tests.notify.conftest import sink, telegram  # noqa: F401 - the real SMTP sink and Telegram stand-in


@pytest.fixture
def deliver_now():
    """Route every pending flip and send everything due at `now` (the notifier's two stages)."""
    from smart.notify.outbox import route_pending
    from smart.notify.sender import send_due

    def _run(now=None):
        from datetime import timedelta

        from django.utils import timezone

        now = now or timezone.now()
        route_pending(now)
        return send_due(now + timedelta(seconds=60), limit=1000)  # past the grouping wait

    return _run
