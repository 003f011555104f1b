"""Online-access alerts driven by time, end to end: the real scraper against the online stand-in (or a
reading history stored the scraper's way) → the alert → a FIRING e-mail to the responsible manager (SMART's
own alert to ops) in the real SMTP sink → the month's end, use, or an acknowledgement → RESOLVED."""
from datetime import datetime, timedelta, timezone

import pytest

from smart.alerts.actions import acknowledge
from smart.alerts.conditions.calendar import check_moment
from smart.alerts.conditions.online import month_start, next_month
from smart.alerts.models import Alert, State
from smart.alerts.worker import run_once
from smart.probes.online import store_online
from smart.probes.store import Recorder
from tests.alerts_time.conftest import client, make_site, online_host, site  # noqa: F401 - fixtures
from tests.alerts_time.e2e import MANAGER, OPS, mail, routes
from tests.alerts_time.helpers import LIMITS, MOSCOW, local, reading, scrape_trap, state

pytestmark = pytest.mark.django_db
UTC = timezone.utc
RULE_COUNTERS = {"Docs": "documents", "Print": "print", "Search": "search", "Upload": "export"}
BANDS = {"150": 100, "50": 20, "Zero": 0}  # a value inside each band
BILLING = [(f"OnlineBilling{name}Left{band}", counter, left)
           for name, counter in RULE_COUNTERS.items() for band, left in BANDS.items()]
LOW_USE = [("OnlineUserActivityIsLow10", 10, 990), ("OnlineUserActivityIsLow20", 20, 950),
           ("OnlineUserActivityIsLow30", 30, 900)]  # 1 %, 5 %, 10 % of the documents used
COVERS = {rule for rule, _, _ in BILLING} | {rule for rule, _, _ in LOW_USE} | {
    "OnlineRepeatedExhaustion", "OnlineNoLoginNDays", "SmartScraperConsumedUnits"}


def write(results) -> None:
    """What the prober's writer does with a batch (probes.prober.Writer.flush, without its connection
    handling): check samples and states (the on_check evaluation follows), then the counters."""
    Recorder().record(results)
    store_online([r for r in results if r.ok])


@pytest.fixture
def managed(site, dealer, sink):
    """The site's online access with its manager, and the dealer's routes."""
    site.access.manager = routes(dealer)
    site.access.save()
    return site


@pytest.mark.parametrize("rule, counter, left", BILLING, ids=[b[0] for b in BILLING])
def test_quota_alert_reaches_the_manager_and_resolves_on_the_1st(managed, sink, rule, counter, left):
    now = datetime.now(UTC)
    managed.start_month(now)
    managed.spend_to(**{counter: left})
    write([managed.scrape_result()])
    run_once(now + timedelta(minutes=1))  # the evaluator's next pass
    key = f"o{managed.access.pk}|{counter}"
    assert state(rule, key) == State.FIRING
    firing = mail(sink, "FIRING", rule, MANAGER)
    assert f"осталось {left} из {LIMITS[counter]} единиц" in firing.text and managed.access.host in firing.text

    run_once(next_month(month_start(now, MOSCOW)) + timedelta(seconds=30))  # the client's 1st: quotas reset
    assert state(rule, key) == State.RESOLVED
    mail(sink, "RESOLVED", rule, MANAGER)


@pytest.mark.parametrize("rule, day, left", LOW_USE, ids=[c[0] for c in LOW_USE])
def test_low_use_on_the_day_reaches_the_manager_and_resolves_at_month_end(managed, sink, rule, day, left):
    moment = check_moment(local(MOSCOW, 2026, 2, 1, 9, 0), MOSCOW, day, 12)  # day 30 of February: the 28th
    managed.start_month(moment - timedelta(hours=2))
    managed.spend_to(documents=left)
    managed.scrape(at=moment - timedelta(hours=2))
    run_once(moment - timedelta(seconds=1))
    assert state(rule, f"o{managed.access.pk}") is None
    run_once(moment)
    assert state(rule, f"o{managed.access.pk}") == State.FIRING
    assert f"открыто {1000 - left} из 1000 документов" in mail(sink, "FIRING", rule, MANAGER).text
    run_once(local(MOSCOW, 2026, 3, 1, 0, 0, 30))
    assert state(rule, f"o{managed.access.pk}") == State.RESOLVED
    mail(sink, "RESOLVED", rule, MANAGER)


def test_repeated_exhaustion_is_a_lead_for_the_manager(managed, sink):
    access, key = managed.access, f"o{managed.access.pk}|documents"
    for year, month, day in ((2025, 12, 18), (2026, 2, 21)):
        reading(access, local(MOSCOW, year, month, 1, 8, 0))
        reading(access, local(MOSCOW, year, month, day, 15, 0), documents=0)
    reading(access, local(MOSCOW, 2026, 3, 9, 9, 0), documents=850)
    run_once(local(MOSCOW, 2026, 3, 10, 12, 0))
    assert state("OnlineRepeatedExhaustion", key) == State.FIRING
    assert "в 2 из 3 последних месяцев" in mail(sink, "FIRING", "OnlineRepeatedExhaustion", MANAGER).text
    run_once(local(MOSCOW, 2026, 4, 1, 0, 30))  # January, February, March: once
    assert state("OnlineRepeatedExhaustion", key) == State.RESOLVED
    mail(sink, "RESOLVED", "OnlineRepeatedExhaustion", MANAGER)


def test_an_unused_access_reaches_the_manager_until_it_is_used(managed, sink):
    t = local(MOSCOW, 2026, 3, 20, 12, 0)
    managed.start_month(t - timedelta(days=9))
    managed.scrape(at=t - timedelta(days=9))
    managed.scrape(at=t - timedelta(hours=1))
    run_once(t)
    assert state("OnlineNoLoginNDays", f"o{managed.access.pk}") == State.FIRING
    assert "нет признаков использования за 7 дней" in mail(sink, "FIRING", "OnlineNoLoginNDays", MANAGER).text
    managed.spend_to(documents=managed.left() - 3)
    managed.scrape(at=t + timedelta(hours=1))
    run_once(t + timedelta(hours=1, minutes=1))
    assert state("OnlineNoLoginNDays", f"o{managed.access.pk}") == State.RESOLVED
    mail(sink, "RESOLVED", "OnlineNoLoginNDays", MANAGER)


def test_a_refused_billable_request_reaches_ops_until_acknowledged(managed, sink, settings):
    write([scrape_trap(managed.access, settings)])  # the on_check evaluation after the batch raises it
    alert = Alert.objects.get(rule="SmartScraperConsumedUnits")
    assert alert.state == State.FIRING
    assert "/docs1/document/1" in mail(sink, "FIRING", "SmartScraperConsumedUnits", OPS).text
    assert acknowledge(alert, via="email").done
    run_once(datetime.now(UTC) + timedelta(seconds=1))
    assert Alert.objects.get(pk=alert.pk).state == State.RESOLVED
    mail(sink, "RESOLVED", "SmartScraperConsumedUnits", OPS)
