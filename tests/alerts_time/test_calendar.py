"""`calendar`: month-to-date usage checked at a time of the month in the client's zone; online counters
read by the real scraper, installation activity and involvement from real reports through the pipeline."""
import dataclasses
from datetime import date, timedelta

import pytest

from smart.alerts.conditions import calendar as calendar_module
from smart.alerts.conditions.calendar import activity, check_moment, installations, involvement_pct
from smart.alerts.conditions.scope import Scope
from smart.alerts.engine import evaluate
from smart.alerts.models import State
from smart.alerts.worker import run_once
from smart.formats.model import RegFile
from smart.metrics import queries
from smart.registry.models import Installation
from tests.pipeline.reports import as_zip, sysinfo

from .helpers import MOSCOW, UTC, VLADIVOSTOK, local, reading, state

pytestmark = pytest.mark.django_db


def report(deliver, at, users=(1, 0), seats=10, name="ROGA", zone="Europe/Moscow"):
    """A sysinfo of `at` with two users' DB requests `users` (activity 3n+1 each: see reports.sysinfo)."""
    deliver(as_zip(dataclasses.replace(sysinfo(at, db_requests=users), regfile=RegFile(seats=seats)), zone),
            f"{name}.zip")


@pytest.mark.parametrize("year, month, day, expected", [
    (2027, 2, 30, 28), (2028, 2, 30, 29), (2027, 3, 30, 30), (2027, 4, 30, 30), (2027, 4, 31, 30), (2027, 1, 10, 10),
])
def test_day_30_is_the_last_day_of_a_shorter_month(year, month, day, expected):
    moment = check_moment(local(MOSCOW, year, month, 5, 9, 0), MOSCOW, day, 12)
    assert (moment.day, moment.hour, moment.tzinfo) == (expected, 12, MOSCOW)


def low(flips) -> list:
    """The usage alerts among the flips (a heavy month also raises OnlineRepeatedExhaustion's forecast)."""
    return [(f.alert.rule, f.new_state) for f in flips if "ActivityIsLow" in f.alert.rule]


# ---- online: docs_used_pct, repeat "once" --------------------------------------------------------------

def test_once_checks_the_10th_at_noon_and_holds_to_the_month_end(site):
    key = f"o{site.access.pk}"
    site.start_month(local(MOSCOW, 2026, 1, 9, 9, 0))
    site.spend_to(documents=990)  # 1 % of 1000 used
    site.scrape(at=local(MOSCOW, 2026, 1, 9, 20, 0))
    run_once(local(MOSCOW, 2026, 1, 10, 11, 59))
    assert state("OnlineUserActivityIsLow10", key) is None
    run_once(local(MOSCOW, 2026, 1, 10, 12, 0))
    assert state("OnlineUserActivityIsLow10", key) == State.FIRING

    site.spend_to(documents=500)  # half used on the 11th: the check of the 10th stands
    site.scrape(at=local(MOSCOW, 2026, 1, 11, 9, 0))
    flips = run_once(local(MOSCOW, 2026, 1, 11, 9, 1))
    assert state("OnlineUserActivityIsLow10", key) == State.FIRING and not low(flips)
    run_once(local(MOSCOW, 2026, 1, 20, 12, 0))
    assert state("OnlineUserActivityIsLow20", key) is None  # 50 % used on the 20th: not below 10 %

    flips = run_once(local(MOSCOW, 2026, 2, 1, 0, 0, 30))
    assert low(flips) == [("OnlineUserActivityIsLow10", "resolved")]
    run_once(local(MOSCOW, 2026, 2, 10, 12, 30))  # February: no reading this month, nothing to say
    assert state("OnlineUserActivityIsLow10", key) == State.RESOLVED


def test_once_uses_the_data_of_the_moment(site):
    """Evaluated late (the evaluator was down on the 10th), the check still looks at the 10th."""
    key = f"o{site.access.pk}"
    site.start_month(local(MOSCOW, 2026, 1, 9, 9, 0))
    site.spend_to(documents=995)
    site.scrape(at=local(MOSCOW, 2026, 1, 10, 11, 0))
    site.spend_to(documents=100)
    site.scrape(at=local(MOSCOW, 2026, 1, 14, 11, 0))
    run_once(local(MOSCOW, 2026, 1, 15, 8, 0))
    assert state("OnlineUserActivityIsLow10", key) == State.FIRING


def test_day_30_in_february_is_the_28th(site):
    key = f"o{site.access.pk}"
    site.start_month(local(MOSCOW, 2026, 2, 27, 9, 0))
    site.spend_to(documents=900)  # 10 % < 15 %
    site.scrape(at=local(MOSCOW, 2026, 2, 27, 9, 0))
    for when in (local(MOSCOW, 2026, 2, 27, 12, 0), local(MOSCOW, 2026, 2, 28, 11, 59)):
        run_once(when)
        assert state("OnlineUserActivityIsLow30", key) is None, when
    run_once(local(MOSCOW, 2026, 2, 28, 12, 0))
    assert state("OnlineUserActivityIsLow30", key) == State.FIRING
    run_once(local(MOSCOW, 2026, 3, 1, 0, 1))
    assert state("OnlineUserActivityIsLow30", key) == State.RESOLVED


def test_an_online_access_is_checked_in_its_clients_zone(site, client, dealer):
    Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="VOSTOK", time_zone="Asia/Vladivostok")
    key = f"o{site.access.pk}"
    site.start_month(local(MOSCOW, 2026, 1, 9, 9, 0))
    site.scrape(at=local(MOSCOW, 2026, 1, 9, 10, 0))
    noon_east = local(VLADIVOSTOK, 2026, 1, 10, 12, 0)  # 05:00 in Moscow
    run_once(noon_east - timedelta(minutes=1))
    assert state("OnlineUserActivityIsLow10", key) is None
    run_once(noon_east)
    assert state("OnlineUserActivityIsLow10", key) == State.FIRING


def test_once_with_early_recovery_does_not_fire_again_in_the_month(site, monkeypatch):
    """Were a "once" rule to resolve early (value recovered), a later fall in the month (a raised limit
    makes the used share smaller) does not raise it again; the next month's check does."""
    monkeypatch.setattr(calendar_module, "_early_recovery", lambda rule: True)
    key = f"o{site.access.pk}"
    reading(site.access, local(MOSCOW, 2026, 1, 9, 20, 0), documents=990)
    run_once(local(MOSCOW, 2026, 1, 10, 12, 0))
    assert state("OnlineUserActivityIsLow10", key) == State.FIRING
    reading(site.access, local(MOSCOW, 2026, 1, 11, 9, 0), documents=500)
    run_once(local(MOSCOW, 2026, 1, 11, 9, 1))
    assert state("OnlineUserActivityIsLow10", key) == State.RESOLVED
    reading(site.access, local(MOSCOW, 2026, 1, 12, 9, 0), documents=99_500, limit=100_000)  # 0.5 % used
    run_once(local(MOSCOW, 2026, 1, 12, 9, 1))
    assert state("OnlineUserActivityIsLow10", key) == State.RESOLVED
    reading(site.access, local(MOSCOW, 2026, 2, 9, 9, 0), documents=1000)
    run_once(local(MOSCOW, 2026, 2, 10, 12, 0))
    assert state("OnlineUserActivityIsLow10", key) == State.FIRING


# ---- installations: activity and involvement, repeat "daily" --------------------------------------------

def test_activity_and_involvement_formulas(deliver, roga):
    at = local(MOSCOW, 2026, 1, 5, 9, 0)
    deliver(as_zip(sysinfo(at, db_requests=(10, 5))))
    targets = installations(Scope(at))
    assert activity(targets, {roga.pk: at})[roga.pk][0] == (10 + 20 + 1) + (5 + 10 + 1)  # requests, documents, prints
    value = involvement_pct(targets, {roga.pk: at})[roga.pk][0]
    assert value == queries.involvement([roga.pk], date(2026, 1, 1))[roga.pk] == 20.0  # 2 users, 10 seats
    assert activity(targets, {roga.pk: at - timedelta(minutes=1)}) == {}  # before the month's first report
    assert activity(targets, {roga.pk: local(MOSCOW, 2026, 2, 1, 9, 0)}) == {}  # a new month: no report yet


def mine(flips) -> list:
    return [(f.alert.rule, f.new_state) for f in flips if f.alert.rule in ("KodeksUserActivityIsLow", "KodeksUserAInvolvementIsLow")]


def test_daily_from_the_20th_until_the_value_recovers(deliver, roga):
    """Reports arrive hourly in life: each pass here follows a fresh one (a stale installation's usage
    alerts are held back by SmartXMLfileIsToOld). A report's own processing evaluates at its time."""
    key = f"i{roga.pk}"
    report(deliver, local(MOSCOW, 2026, 1, 20, 9, 30), users=(1, 0))  # activity 4 + 1, involvement 10 %
    run_once(local(MOSCOW, 2026, 1, 20, 9, 59))
    assert state("KodeksUserActivityIsLow", key) is None and state("KodeksUserAInvolvementIsLow", key) is None
    run_once(local(MOSCOW, 2026, 1, 20, 10, 0))
    assert state("KodeksUserActivityIsLow", key) == state("KodeksUserAInvolvementIsLow", key) == State.FIRING
    report(deliver, local(MOSCOW, 2026, 1, 21, 7, 30), users=(1, 0))
    assert mine(run_once(local(MOSCOW, 2026, 1, 21, 8, 0))) == []  # still low the next morning: no change

    report(deliver, local(MOSCOW, 2026, 1, 21, 9, 0), users=(10, 5))  # activity 47: resolved by its processing
    assert state("KodeksUserActivityIsLow", key) == State.RESOLVED
    assert state("KodeksUserAInvolvementIsLow", key) == State.FIRING  # 2 of 10 seats: still low
    assert evaluate(local(MOSCOW, 2026, 1, 21, 9, 5), evaluation="on_fact", installation_ids=[roga.pk]) == []

    report(deliver, local(MOSCOW, 2026, 1, 31, 23, 30), users=(10, 5))
    assert mine(run_once(local(MOSCOW, 2026, 2, 1, 0, 0, 30))) == [("KodeksUserAInvolvementIsLow", "resolved")]
    report(deliver, local(MOSCOW, 2026, 2, 5, 11, 30), users=(1, 0))
    assert mine(run_once(local(MOSCOW, 2026, 2, 5, 12, 0))) == []  # before the 20th of February


def test_daily_starts_at_10_in_the_installations_zone(deliver, roga, dealer):
    east = Installation.objects.create(dealer=dealer, client=roga.client, kind="pushed", name="VOSTOK",
                                       time_zone="Asia/Vladivostok")
    ten_east = local(VLADIVOSTOK, 2026, 1, 20, 10, 0)
    for name, zone in (("ROGA", "Europe/Moscow"), ("VOSTOK", "Asia/Vladivostok")):
        report(deliver, ten_east - timedelta(minutes=30), name=name, zone=zone)
    run_once(ten_east)
    assert state("KodeksUserActivityIsLow", f"i{east.pk}") == State.FIRING
    assert state("KodeksUserActivityIsLow", f"i{roga.pk}") is None  # 03:00 in Moscow
    assert ten_east.astimezone(UTC).hour == 0


def test_no_report_this_month_is_not_low_activity(deliver, roga):
    report(deliver, local(MOSCOW, 2025, 12, 28, 9, 0), users=(0, 0))  # raised by its own processing
    assert state("KodeksUserActivityIsLow", f"i{roga.pk}") == State.FIRING
    run_once(local(MOSCOW, 2026, 1, 20, 10, 0))  # January: silent since December, activity unknown
    assert state("KodeksUserActivityIsLow", f"i{roga.pk}") == State.RESOLVED
