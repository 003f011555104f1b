"""The demo's back-fill sends the fleet's history through ingest and the pipeline."""
from datetime import datetime, timedelta, timezone

from django.core.management import call_command

from smart.ingest.models import Report
from smart.metrics.models import DailyRollup, InstallationState
from smart.pipeline.worker import drain
from smart.registry.models import Dealer
from smart.simulator import demo
from smart.simulator.backfill import backfill


def test_backfill_fills_history_of_registered_installations(db):
    call_command("demo", "--setup-only")
    dealer = Dealer.objects.get(code="DEMO")
    now = datetime(2026, 11, 26, 12, tzinfo=timezone.utc)
    fleet = demo.demo_fleet(now)
    counts = backfill(fleet, dealer, [0], now, months=0.3)  # 9 days: the dense last 2 days and thinned older ones
    assert counts.get("ok", 0) > 50 and "quarantined" not in counts
    drain()
    installation = dealer.installations.get(name=demo.PUSHED[0])
    state = InstallationState.objects.get(installation=installation)
    assert now - timedelta(hours=2) < state.report_time <= now
    assert DailyRollup.objects.filter(installation=installation).count() >= 8
    assert not Report.objects.filter(installation=installation, status="queued").exists()
