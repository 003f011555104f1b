"""Installation alerts driven by time, end to end: reports through ingest and the pipeline (processed at
their own time), passes of the periodic evaluator at a moved clock → the alert → a FIRING e-mail to the
responsible manager in the real SMTP sink → more use, the month's end or a quiet week → RESOLVED.
The online-access ones are in test_time_alerts_online.py."""
import dataclasses
from datetime import timedelta

import pytest

from smart.alerts.models import State
from smart.alerts.worker import run_once
from smart.formats.model import RegFile
from tests.alerts_time.e2e import MANAGER, mail, routes
from tests.alerts_time.helpers import MOSCOW, local, state
from tests.pipeline.conftest import deliver, roga  # noqa: F401 - fixtures
from tests.pipeline.reports import as_zip, sysinfo

pytestmark = pytest.mark.django_db
COVERS = {"KodeksUserActivityIsLow", "KodeksUserAInvolvementIsLow", "KodeksUnsupportedButUsed"}
TEN_ON_THE_20TH = local(MOSCOW, 2026, 1, 20, 10, 0)


@pytest.fixture
def managed(roga, dealer, sink):
    roga.manager = routes(dealer)
    roga.save()
    return roga


def report(deliver, at, users=(1, 0), seats=10):  # noqa: F811 - the fixture
    deliver(as_zip(dataclasses.replace(sysinfo(at, db_requests=users), regfile=RegFile(seats=seats))))


def more_use(deliver):  # noqa: F811
    report(deliver, TEN_ON_THE_20TH + timedelta(hours=2), users=(10, 5))  # activity 47: resolved as it is processed


def month_end(deliver):  # noqa: F811
    report(deliver, local(MOSCOW, 2026, 1, 31, 23, 30))
    run_once(local(MOSCOW, 2026, 2, 1, 0, 0, 30))


@pytest.mark.parametrize("rule, clear", [("KodeksUserActivityIsLow", more_use),
                                         ("KodeksUserAInvolvementIsLow", month_end)], ids=["activity", "involvement"])
def test_low_use_from_the_20th_reaches_the_manager(managed, deliver, sink, rule, clear):  # noqa: F811
    report(deliver, TEN_ON_THE_20TH - timedelta(minutes=30))  # activity 5, 1 user of 10 seats
    run_once(TEN_ON_THE_20TH - timedelta(minutes=1))
    assert state(rule, f"i{managed.pk}") is None
    run_once(TEN_ON_THE_20TH)
    assert state(rule, f"i{managed.pk}") == State.FIRING
    firing = mail(sink, "FIRING", rule, MANAGER)
    assert "ROGA" in firing.text and "на 20-е число" in firing.text
    clear(deliver)
    assert state(rule, f"i{managed.pk}") == State.RESOLVED
    mail(sink, "RESOLVED", rule, MANAGER)


def test_an_unsupported_installation_in_use_until_a_quiet_week(managed, deliver, sink):  # noqa: F811
    managed.client.support_ended = True
    managed.client.save()
    used = local(MOSCOW, 2026, 3, 2, 9, 0)
    report(deliver, used, users=(4, 0))  # processing it raises the alert: logins and DB requests this week
    assert state("KodeksUnsupportedButUsed", f"i{managed.pk}") == State.FIRING
    firing = mail(sink, "FIRING", "KodeksUnsupportedButUsed", MANAGER)
    assert "support ended" in firing.text and "4 запроса к БД" in firing.text
    run_once(used + timedelta(days=6))
    assert state("KodeksUnsupportedButUsed", f"i{managed.pk}") == State.FIRING
    run_once(used + timedelta(days=7, hours=1))  # a week without a login or a DB request
    assert state("KodeksUnsupportedButUsed", f"i{managed.pk}") == State.RESOLVED
    mail(sink, "RESOLVED", "KodeksUnsupportedButUsed", MANAGER)
