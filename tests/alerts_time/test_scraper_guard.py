"""`scraper_consumed_units`: the billing guard refused a request to a billable page; the alert to SMART
ops holds until they acknowledge it."""
import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from smart.alerts.actions import acknowledge
from smart.alerts.models import Alert, State
from smart.alerts.worker import run_once
from smart.probes.models import CheckSample
from smart.probes.online import GUARD_REFUSED, OnlineTarget, scrape_billing
from smart.probes.store import Recorder

from .helpers import scrape_trap

pytestmark = pytest.mark.django_db
RULE = "SmartScraperConsumedUnits"
UTC = timezone.utc


def test_a_refused_billable_request_raises_the_alert_until_acknowledged(site, settings):
    result = scrape_trap(site.access, settings)
    assert (result.ok, result.state) == (False, "UnexpectedPage") and result.detail.startswith(GUARD_REFUSED)
    Recorder().record([result])  # the prober's writer: a sample, and the on_check evaluation
    assert CheckSample.objects.filter(online_access=site.access, detail__startswith=GUARD_REFUSED).count() == 1
    alert = Alert.objects.get(rule=RULE, object_key=f"o{site.access.pk}")
    assert alert.state == State.FIRING and alert.online_access_id == site.access.pk
    assert "/docs1/document/1" in alert.detail and "отклонила запросов к платным страницам: 1;" in alert.detail

    later = datetime.now(UTC) + timedelta(minutes=1)
    assert [f for f in run_once(later) if f.alert.rule == RULE] == []
    assert Alert.objects.get(pk=alert.pk).state == State.FIRING  # no fact clears it: only people do
    assert acknowledge(alert, via="cli", now=later).done
    flips = run_once(later + timedelta(seconds=1))
    assert [(f.alert.rule, f.new_state) for f in flips if f.alert.rule == RULE] == [(RULE, "resolved")]

    again = scrape_trap(site.access, settings, "/docs1/print/7")
    again.at = later + timedelta(minutes=5)
    Recorder().record([again])
    run_once(later + timedelta(minutes=6))
    alert.refresh_from_db()
    assert alert.state == State.FIRING and alert.acknowledged_at is None and "/docs1/print/7" in alert.detail
    assert "отклонила запросов к платным страницам: 1;" in alert.detail  # since the acknowledgement


def test_an_ordinary_failure_is_not_the_guard(site, settings):
    site.host.set_fault(site.name, "wrong_password")
    result = asyncio.run(scrape_billing(OnlineTarget.from_access(site.access)))
    Recorder().record([result])
    assert result.state == "LoginPasswordError"
    assert not Alert.objects.filter(rule=RULE).exists()
