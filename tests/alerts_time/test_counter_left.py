"""`counter_left`: the quota bands of an online access, read by the real scraper from the stand-in, and
their month in the client's zone."""
from datetime import timedelta

import pytest

from smart.alerts.models import State
from smart.alerts.worker import run_once
from smart.probes.online import store_online
from smart.probes.results import Result
from smart.registry.models import Client, Installation

from .helpers import LIMITS, MOSCOW, UTC, VLADIVOSTOK, alert, local, reading, state

pytestmark = pytest.mark.django_db
DOCS = ("OnlineBillingDocsLeft150", "OnlineBillingDocsLeft50", "OnlineBillingDocsLeftZero")
T = local(MOSCOW, 2026, 1, 12, 10, 0)


def firing(access, rules=DOCS, counter="documents") -> set:
    return {r for r in rules if state(r, f"o{access.pk}|{counter}") == State.FIRING}


@pytest.mark.parametrize("left, expected", [
    (150, set()), (149, {"OnlineBillingDocsLeft150"}), (50, {"OnlineBillingDocsLeft150"}),
    (49, {"OnlineBillingDocsLeft50"}), (1, {"OnlineBillingDocsLeft50"}), (0, {"OnlineBillingDocsLeftZero"}),
])
def test_band_edges(site, left, expected):
    site.start_month(T)
    site.spend_to(documents=left)
    site.scrape(at=T)
    run_once(T + timedelta(minutes=1))
    assert firing(site.access) == expected
    assert all(state(r, f"o{site.access.pk}|documents") is None for r in set(DOCS) - expected)


@pytest.mark.parametrize("counter, rules", [
    ("search", ("OnlineBillingSearchLeft150", "OnlineBillingSearchLeft50", "OnlineBillingSearchLeftZero")),
    ("print", ("OnlineBillingPrintLeft150", "OnlineBillingPrintLeft50", "OnlineBillingPrintLeftZero")),
    ("export", ("OnlineBillingUploadLeft150", "OnlineBillingUploadLeft50", "OnlineBillingUploadLeftZero")),
])
def test_each_counter_has_its_own_rules(site, counter, rules):
    site.start_month(T)
    site.spend_to(**{counter: 20})
    site.scrape(at=T)
    run_once(T + timedelta(minutes=1))
    assert firing(site.access, rules, counter) == {rules[1]}
    assert firing(site.access) == set()  # the documents counter is full
    found = alert(rules[1], f"o{site.access.pk}|{counter}")
    assert found.value == "20" and f"осталось 20 из {LIMITS[counter]} единиц" in found.detail and site.access.host in found.detail


def test_falling_through_the_bands_keeps_the_earlier_alerts_until_the_month_ends(site):
    key = f"o{site.access.pk}|documents"
    site.start_month(T)
    for hours, left, expected in ((0, 100, {"OnlineBillingDocsLeft150"}),
                                  (1, 30, {"OnlineBillingDocsLeft150", "OnlineBillingDocsLeft50"}),
                                  (2, 0, set(DOCS))):
        site.spend_to(documents=left)
        site.scrape(at=T + timedelta(hours=hours))
        run_once(T + timedelta(hours=hours, minutes=1))
        assert firing(site.access) == expected, left
    assert alert("OnlineBillingDocsLeft150", key).inhibited_by in ("OnlineBillingDocsLeft50", "OnlineBillingDocsLeftZero")
    assert alert("OnlineBillingDocsLeft50", key).inhibited_by == "OnlineBillingDocsLeftZero"
    run_once(local(MOSCOW, 2026, 1, 31, 23, 59))
    assert firing(site.access) == set(DOCS)
    flips = run_once(local(MOSCOW, 2026, 2, 1, 0, 0, 30))
    assert {(f.alert.rule, f.new_state) for f in flips if f.alert.rule in DOCS} == {(r, "resolved") for r in DOCS}
    assert state("OnlineRepeatedExhaustion", key) == State.RESOLVED  # the forecast (exhausted) ended with the month


def test_straight_to_zero_raises_only_the_zero_alert(site):
    site.start_month(T)
    site.spend_to(documents=0)
    site.scrape(at=T)
    run_once(T + timedelta(minutes=1))
    assert firing(site.access) == {"OnlineBillingDocsLeftZero"}
    assert state("OnlineBillingDocsLeft150", f"o{site.access.pk}|documents") is None


def test_a_raised_quota_resolves_before_the_month_ends(site):
    site.start_month(T)
    site.spend_to(documents=30)
    site.scrape(at=T)
    run_once(T + timedelta(minutes=1))
    assert firing(site.access) == {"OnlineBillingDocsLeft50"}
    reading(site.access, T + timedelta(hours=1), documents=120)  # the vendor raised the limit: 120 left
    run_once(T + timedelta(hours=1, minutes=1))
    assert state("OnlineBillingDocsLeft50", f"o{site.access.pk}|documents") == State.RESOLVED
    assert firing(site.access) == {"OnlineBillingDocsLeft150"}  # 120 left: the 150 band holds now
    reading(site.access, T + timedelta(hours=2), documents=400)
    run_once(T + timedelta(hours=2, minutes=1))
    assert firing(site.access) == set()


def test_an_unlimited_counter_never_fires(site):
    store_online([Result(check="billing", ok=True, at=T, dealer_id=site.access.dealer_id, online_access_id=site.access.pk,
                         data={k: {"left": None, "limit": None} for k in LIMITS})])
    run_once(T + timedelta(minutes=1))
    assert firing(site.access) == set()


def test_a_reading_of_last_month_holds_nothing(site):
    reading(site.access, local(MOSCOW, 2026, 12, 31, 23, 0), documents=0)
    run_once(local(MOSCOW, 2026, 1, 1, 0, 30))
    assert firing(site.access) == set()


def test_month_rollover_in_the_clients_zone(make_site, client, dealer):
    """1 February 00:30 in Vladivostok is still 31 January 17:30 in Moscow: the eastern client's alert
    resolves, the Moscow client's does not; a reading taken before the vendor resets the counters (at
    midnight in Moscow) does not bring the eastern one back."""
    east = Client.objects.create(dealer=dealer, display_name="Восток", slug="vostok")
    Installation.objects.create(dealer=dealer, client=east, kind="pushed", name="VOSTOK", time_zone="Asia/Vladivostok")
    moscow_site, east_site = make_site(), make_site(east)
    last_day = local(MOSCOW, 2026, 1, 31, 10, 0)
    for s in (moscow_site, east_site):
        s.start_month(last_day)
        s.spend_to(documents=30)
        s.scrape(at=last_day)
    run_once(last_day + timedelta(minutes=1))
    assert firing(moscow_site.access) == firing(east_site.access) == {"OnlineBillingDocsLeft50"}

    east_midnight = local(VLADIVOSTOK, 2026, 2, 1, 0, 30)
    assert east_midnight.astimezone(MOSCOW).day == 31
    run_once(east_midnight)
    assert state("OnlineBillingDocsLeft50", f"o{east_site.access.pk}|documents") == State.RESOLVED
    assert firing(moscow_site.access) == {"OnlineBillingDocsLeft50"}

    before_reset = local(MOSCOW, 2026, 1, 31, 20, 0)  # 1 February 03:00 in Vladivostok, counters not reset yet
    for s in (moscow_site, east_site):
        s.host.set_now(s.name, before_reset)
        assert s.scrape(at=before_reset).data["documents"]["left"] == 30
    run_once(before_reset + timedelta(minutes=1))
    assert state("OnlineBillingDocsLeft50", f"o{east_site.access.pk}|documents") == State.RESOLVED
    assert firing(moscow_site.access) == {"OnlineBillingDocsLeft50"}

    after_reset = local(MOSCOW, 2026, 2, 1, 0, 30)
    for s in (moscow_site, east_site):
        s.host.set_now(s.name, after_reset)
        assert s.scrape(at=after_reset).data["documents"]["left"] == LIMITS["documents"]
    run_once(after_reset + timedelta(minutes=1))
    assert firing(moscow_site.access) == firing(east_site.access) == set()
    assert state("OnlineBillingDocsLeft50", f"o{moscow_site.access.pk}|documents") == State.RESOLVED


def test_the_zone_is_the_first_installations(client, dealer):
    from smart.alerts.conditions.online import client_zones, vendor_zone

    lone = Client.objects.create(dealer=dealer, display_name="Один", slug="odin")
    Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="A", time_zone="Asia/Vladivostok")
    Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="B", time_zone="Europe/Kaliningrad")
    zones = client_zones({client.pk, lone.pk})
    assert str(zones[client.pk]) == "Asia/Vladivostok"
    assert zones[lone.pk] == vendor_zone() and str(vendor_zone()) == "Europe/Moscow"
    assert T.tzinfo is MOSCOW and T.astimezone(UTC).hour == 7
