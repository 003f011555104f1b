"""`usage_in_window`: signs of use within a window, from real reports (logins, DB requests) and from what
the real scraper read of an online access (searches in the history, units spent)."""
import asyncio
import dataclasses
from datetime import timedelta

import pytest

from smart.alerts.conditions.scope import Scope
from smart.alerts.conditions.usage import usage_in_window
from smart.alerts.models import State
from smart.alerts.worker import run_once
from smart.formats.model import Session, User, UserCounters
from smart.probes.online import OnlineTarget, scrape_searches, store_online
from tests.pipeline.reports import as_zip, sysinfo

from .helpers import MOSCOW, local, reading, state

pytestmark = pytest.mark.django_db
WEEK = 7 * 86400
USED = {"kind": "usage_in_window", "window_s": WEEK, "expect": "any", "signals": ["logins", "db_requests"]}
UNUSED = {"kind": "usage_in_window", "window_s": WEEK, "expect": "none", "signals": ["online_searches", "units_spent"]}
T = local(MOSCOW, 2026, 3, 20, 12, 0)


def probe_only(at):
    """A report in which only SMART's own probe login appears, and nobody made a DB request."""
    report = sysinfo(at, db_requests=(0, 0), sessions=0)
    return dataclasses.replace(
        report, users=(User(login="smartlogin", last_login_at=at - timedelta(hours=1)),),
        sessions=(Session(login="smartlogin", started_at=at - timedelta(minutes=5)),),
        counters=(UserCounters(login="smartlogin", db_requests=0),))


def observed(condition, now, **ids) -> set:
    return set(usage_in_window(condition, Scope(now, **{k: frozenset(v) for k, v in ids.items()})))


def test_logins_and_db_requests_in_the_window(deliver, roga):
    deliver(as_zip(sysinfo(T - timedelta(days=2), db_requests=(10, 5))))
    found = usage_in_window(USED, Scope(T))
    assert set(found) == {f"i{roga.pk}"}
    assert "2 входа" in found[f"i{roga.pk}"].detail and "15 запросов к БД" in found[f"i{roga.pk}"].detail
    assert observed(USED, T + timedelta(days=4)) == {f"i{roga.pk}"}
    assert observed(USED, T + timedelta(days=6)) == set()  # the sessions began over a week before


def test_db_requests_alone_are_use(deliver, roga):
    deliver(as_zip(dataclasses.replace(sysinfo(T - timedelta(days=1), db_requests=(3, 0)), sessions=(), users=())))
    only_requests = dict(USED, signals=["db_requests"])
    assert observed(only_requests, T) == {f"i{roga.pk}"}
    assert observed(dict(USED, signals=["logins"]), T) == set()


def test_smartlogin_is_not_use(deliver, roga):
    deliver(as_zip(probe_only(T - timedelta(days=1))))
    assert observed(USED, T) == set()


def test_an_online_only_pass_says_nothing_of_installations(deliver, roga, site):
    deliver(as_zip(sysinfo(T - timedelta(days=1))))
    assert observed(USED, T, online_access_ids=[site.access.pk]) == set()
    assert observed(USED, T, installation_ids=[roga.pk]) == {f"i{roga.pk}"}


def test_an_unused_online_access(site):
    key = f"o{site.access.pk}"
    site.start_month(T - timedelta(days=9))
    site.scrape(at=T - timedelta(days=9))
    site.scrape(at=T - timedelta(hours=1))
    assert observed(UNUSED, T) == {key}
    run_once(T)
    assert state("OnlineNoLoginNDays", key) == State.FIRING

    site.spend_to(documents=site.left() - 2)  # two documents opened: use
    site.scrape(at=T + timedelta(hours=1))
    run_once(T + timedelta(hours=1, minutes=1))
    assert state("OnlineNoLoginNDays", key) == State.RESOLVED


def test_a_search_in_the_history_is_use(site):
    site.start_month(T - timedelta(days=9))
    site.scrape(at=T - timedelta(days=9))
    site.scrape(at=T - timedelta(hours=1))
    site.host.set_now(site.name, T - timedelta(hours=2))
    site.host.use(site.name, site.login, search=1)  # the history gets the query; the counter drops too
    history = asyncio.run(scrape_searches(OnlineTarget.from_access(site.access), T.date()))
    assert history.ok and history.data["rows"], history.detail
    store_online([history])
    assert observed(UNUSED, T) == set()
    assert observed(dict(UNUSED, signals=["units_spent"]), T) == {f"o{site.access.pk}"}  # not read since


def test_a_new_or_silent_access_is_not_called_unused(site):
    reading(site.access, T - timedelta(days=3))
    reading(site.access, T - timedelta(hours=1))
    assert observed(UNUSED, T) == set()  # monitored for three days only
    reading(site.access, T - timedelta(days=10))
    assert observed(UNUSED, T) == {f"o{site.access.pk}"}
    assert observed(UNUSED, T + timedelta(days=8)) == set()  # no reading for eight days: unknown


def test_a_raised_limit_or_the_monthly_reset_is_not_use(site):
    key = f"o{site.access.pk}"
    reading(site.access, local(MOSCOW, 2026, 3, 25, 9, 0), documents=100)
    reading(site.access, local(MOSCOW, 2026, 3, 28, 9, 0), documents=600, limit=1500)  # +500 on the limit
    reading(site.access, local(MOSCOW, 2026, 4, 1, 0, 30), documents=1500, limit=1500)  # the reset on the 1st
    assert observed(UNUSED, local(MOSCOW, 2026, 4, 1, 12, 0)) == {key}
    reading(site.access, local(MOSCOW, 2026, 4, 1, 9, 0), documents=1499, limit=1500)
    assert observed(UNUSED, local(MOSCOW, 2026, 4, 1, 12, 0)) == set()


def test_unknown_signals_are_refused():
    with pytest.raises(ValueError, match="unknown signal"):
        usage_in_window(dict(USED, signals=["phone_calls"]), Scope(T))
