"""The policy's clock arithmetic on its own: quiet hours over midnight, the morning release, the digest
time, the night before a morning, and the defaults when a dealer has no policy."""
from datetime import time, timedelta

import pytest

from smart.notify import policy
from smart.notify.models import Channel, NotifyPolicy

from .conftest import MOSCOW, VLADIVOSTOK, local


def vlad(**fields) -> NotifyPolicy:
    return NotifyPolicy(time_zone="Asia/Vladivostok", **fields)


def test_quiet_hours_run_over_midnight_in_the_dealers_zone():
    rules = vlad()
    assert policy.in_quiet(rules, local(VLADIVOSTOK, 2025, 3, 4, 22, 0))
    assert policy.in_quiet(rules, local(VLADIVOSTOK, 2025, 3, 5, 6, 59))
    assert not policy.in_quiet(rules, local(VLADIVOSTOK, 2025, 3, 5, 7, 0))
    assert not policy.in_quiet(rules, local(VLADIVOSTOK, 2025, 3, 4, 21, 59))
    assert policy.in_quiet(rules, local(MOSCOW, 2025, 3, 4, 23, 0))  # 06:00 in Vladivostok
    assert not policy.in_quiet(rules, local(MOSCOW, 2025, 3, 5, 1, 0))  # 08:00 in Vladivostok
    assert policy.in_quiet(NotifyPolicy(), local(MOSCOW, 2025, 3, 4, 23, 0))


def test_day_time_quiet_hours_and_none():
    rules = NotifyPolicy(quiet_start=time(13, 0), quiet_end=time(14, 0))
    assert policy.in_quiet(rules, local(MOSCOW, 2025, 3, 4, 13, 30))
    assert not policy.in_quiet(rules, local(MOSCOW, 2025, 3, 4, 23, 30))
    never = NotifyPolicy(quiet_start=time(0, 0), quiet_end=time(0, 0))
    assert policy.release(never, local(MOSCOW, 2025, 3, 4, 3, 0)) == local(MOSCOW, 2025, 3, 4, 3, 0)


def test_release_is_the_next_morning_or_the_end_of_quiet_hours():
    assert policy.release(vlad(), local(VLADIVOSTOK, 2025, 3, 4, 23, 0)) == local(VLADIVOSTOK, 2025, 3, 5, 7, 30)
    assert policy.release(vlad(), local(VLADIVOSTOK, 2025, 3, 5, 6, 59)) == local(VLADIVOSTOK, 2025, 3, 5, 7, 30)
    early = vlad(morning_at=time(6, 0))  # a morning inside quiet hours: the end of quiet hours wins
    assert policy.release(early, local(VLADIVOSTOK, 2025, 3, 4, 23, 0)) == local(VLADIVOSTOK, 2025, 3, 5, 7, 0)


def test_not_before_holds_only_telegram_below_p1_without_night_delivery():
    night = local(MOSCOW, 2025, 3, 4, 23, 0)
    morning = local(MOSCOW, 2025, 3, 5, 7, 30)
    rules = NotifyPolicy()
    assert policy.not_before(rules, Channel.TELEGRAM, "P2", night) == morning
    assert policy.not_before(rules, Channel.TELEGRAM, "P1", night) == night
    assert policy.not_before(rules, Channel.EMAIL, "P2", night) == night
    assert policy.not_before(rules, Channel.WEBHOOK, "P3", night) == night
    assert policy.not_before(NotifyPolicy(night_delivery=True), Channel.TELEGRAM, "P2", night) == night


def test_the_daily_digest_time_is_always_ahead():
    rules = NotifyPolicy()
    assert policy.digest_at(rules, local(MOSCOW, 2025, 3, 4, 7, 29)) == local(MOSCOW, 2025, 3, 4, 7, 30)
    assert policy.digest_at(rules, local(MOSCOW, 2025, 3, 4, 7, 30)) == local(MOSCOW, 2025, 3, 5, 7, 30)
    assert policy.digest_at(rules, local(MOSCOW, 2025, 3, 4, 23, 0)) == local(MOSCOW, 2025, 3, 5, 7, 30)


def test_the_night_before_a_morning():
    start, end = policy.night_before(NotifyPolicy(), local(MOSCOW, 2025, 3, 5, 7, 30))
    assert (start, end) == (local(MOSCOW, 2025, 3, 4, 22, 0), local(MOSCOW, 2025, 3, 5, 7, 0))
    start, end = policy.night_before(NotifyPolicy(quiet_start=time(0, 0), quiet_end=time(0, 0)),
                                     local(MOSCOW, 2025, 3, 5, 7, 30))
    assert end - start == timedelta(days=1)


def test_telegram_carries_what_the_catalogue_lists():
    assert policy.allows(Channel.TELEGRAM, "KodeksXmlSensLockStatus", "P1")
    assert policy.allows(Channel.TELEGRAM, "OnlineBillingDocsLeft150", "P3")
    assert not policy.allows(Channel.TELEGRAM, "KodeksDiskSpaceLow", "P3")
    assert not policy.allows(Channel.TELEGRAM, "KodeksNewUser", "P4")
    assert policy.allows(Channel.TELEGRAM, "MyCustomRule", "P2")  # not in the catalogue: P1/P2
    assert not policy.allows(Channel.TELEGRAM, "MyCustomRule", "P3")
    assert policy.allows(Channel.EMAIL, "KodeksNewUser", "P4")


def test_a_bad_zone_falls_back_to_moscow():
    assert str(policy.zone(NotifyPolicy(time_zone="Mars/Olympus"))) == "Europe/Moscow"


@pytest.mark.django_db
def test_a_dealer_without_a_policy_row_gets_the_defaults(dealer):
    found = policy.Policies().get(dealer.id)
    assert found.pk is None and found.time_zone == "Europe/Moscow" and found.morning_at == time(7, 30)
    NotifyPolicy.objects.create(dealer=dealer, time_zone="Asia/Vladivostok")
    assert policy.Policies().get(dealer.id).time_zone == "Asia/Vladivostok"
