"""`repeated_exhaustion`: the document quota ran out before the 25th in 2 of the last 3 months (a history
built by hand through store_online), or this month's pace runs it out before the month ends."""
import pytest

from smart.alerts.models import State
from smart.alerts.worker import run_once
from smart.registry.models import Installation

from .helpers import MOSCOW, VLADIVOSTOK, alert, local, reading, state

pytestmark = pytest.mark.django_db
RULE = "OnlineRepeatedExhaustion"


def month(access, year, month_, exhausted_on=None, hour=12, zone=MOSCOW):
    """A month of readings: full on the 1st, and 0 left from `exhausted_on` (a day, or a datetime) on."""
    reading(access, local(zone, year, month_, 1, 6, 0))
    if exhausted_on is not None:
        at = exhausted_on if not isinstance(exhausted_on, int) else local(zone, year, month_, exhausted_on, hour, 0)
        reading(access, at, documents=0)


def test_two_of_the_last_three_months(site):
    key = f"o{site.access.pk}|documents"
    month(site.access, 2025, 12, exhausted_on=20)
    month(site.access, 2026, 1, exhausted_on=27)  # after the 25th: does not count
    month(site.access, 2026, 2, exhausted_on=24, hour=23)
    reading(site.access, local(MOSCOW, 2026, 3, 9, 9, 0), documents=900)  # a quiet March so far
    run_once(local(MOSCOW, 2026, 3, 10, 12, 0))
    assert state(RULE, key) == State.FIRING
    found = alert(RULE, key)
    assert found.value == "2/3" and "в 2 из 3 последних месяцев" in found.detail

    reading(site.access, local(MOSCOW, 2026, 3, 31, 20, 0), documents=700)
    flips = run_once(local(MOSCOW, 2026, 4, 1, 0, 30))  # now January, February, March: one month
    assert [(f.alert.rule, f.new_state) for f in flips] == [(RULE, "resolved")]


def test_one_month_or_the_25th_itself_is_not_enough(site):
    month(site.access, 2025, 12)
    month(site.access, 2026, 1, exhausted_on=local(MOSCOW, 2026, 1, 25, 0, 0))  # on the 25th, not before
    month(site.access, 2026, 2, exhausted_on=3)
    run_once(local(MOSCOW, 2026, 3, 10, 12, 0))
    assert state(RULE, f"o{site.access.pk}|documents") is None


def test_the_history_holds_into_the_next_month_when_it_still_qualifies(site):
    key = f"o{site.access.pk}|documents"
    month(site.access, 2026, 1, exhausted_on=20)
    month(site.access, 2026, 2, exhausted_on=20)
    run_once(local(MOSCOW, 2026, 3, 10, 12, 0))
    assert state(RULE, key) == State.FIRING
    assert run_once(local(MOSCOW, 2026, 4, 1, 0, 30)) == []  # February and January still count
    flips = run_once(local(MOSCOW, 2026, 5, 1, 0, 30))  # February, March, April: one month
    assert [(f.alert.rule, f.new_state) for f in flips] == [(RULE, "resolved")]


def test_months_are_the_clients(site, client, dealer):
    """23:00 on 24 February in Moscow is already the 25th in Vladivostok."""
    Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="VOSTOK", time_zone="Asia/Vladivostok")
    month(site.access, 2026, 1, exhausted_on=10, zone=VLADIVOSTOK)
    month(site.access, 2026, 2, exhausted_on=local(MOSCOW, 2026, 2, 24, 23, 0), zone=VLADIVOSTOK)
    run_once(local(VLADIVOSTOK, 2026, 3, 10, 12, 0))
    assert state(RULE, f"o{site.access.pk}|documents") is None


def test_this_months_pace_forecasts_exhaustion_and_holds_to_the_month_end(site):
    key = f"o{site.access.pk}|documents"
    reading(site.access, local(MOSCOW, 2026, 3, 2, 9, 0), documents=500)  # half in a day: too young to tell
    run_once(local(MOSCOW, 2026, 3, 2, 9, 1))
    assert state(RULE, key) is None
    reading(site.access, local(MOSCOW, 2026, 3, 10, 0, 0), documents=300)  # 700 in 9 days: gone by the 14th
    run_once(local(MOSCOW, 2026, 3, 10, 0, 1))
    assert state(RULE, key) == State.FIRING
    assert "лимит закончится 2026-03-13" in alert(RULE, key).detail
    reading(site.access, local(MOSCOW, 2026, 3, 25, 0, 0), documents=300)  # nobody used it since: not before April
    assert run_once(local(MOSCOW, 2026, 3, 25, 0, 1)) == []  # a sales lead does not flap within the month
    flips = run_once(local(MOSCOW, 2026, 4, 1, 0, 1))
    assert [(f.alert.rule, f.new_state) for f in flips if f.alert.rule == RULE] == [(RULE, "resolved")]


def test_a_forecast_after_the_month_end_is_nothing(site):
    reading(site.access, local(MOSCOW, 2026, 3, 16, 0, 0), documents=600)  # 400 in 15 days: 22.5 days more
    run_once(local(MOSCOW, 2026, 3, 16, 0, 1))
    assert state(RULE, f"o{site.access.pk}|documents") is None
    reading(site.access, local(MOSCOW, 2026, 3, 16, 1, 0), documents=500)  # 500 in 15 days: out on the 31st
    run_once(local(MOSCOW, 2026, 3, 16, 1, 1))
    assert "лимит закончится 2026-03-31" in alert(RULE, f"o{site.access.pk}|documents").detail
