"""The periodic evaluator: which rules a pass takes, the thread, and `smart evaluate-alerts`."""
import time
from datetime import datetime, timedelta, timezone
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from smart.alerts.models import Alert, State
from smart.alerts.worker import Evaluator, run_once, time_driven

from .helpers import MOSCOW, local, reading, state

UTC = timezone.utc


def test_a_pass_takes_the_time_resolved_and_calendar_rules():
    names = time_driven()
    assert {"OnlineBillingDocsLeft50", "OnlineUserActivityIsLow30", "KodeksUserActivityIsLow",  # month_rollover
            "KodeksNewUser", "SmartScraperConsumedUnits"} <= names  # quiet, manual
    assert "KodeksTcpStatus" not in names and "OnlineLoginFailed" not in names  # resolved by their next check
    assert "OnlineNoLoginNDays" not in names  # periodic: in the periodic part of the pass


def test_the_interval_is_a_setting(settings):
    assert Evaluator().every == 60
    settings.SMART_ALERT_EVAL_INTERVAL_S = 5
    assert Evaluator().every == 5 and Evaluator(every=0.5).every == 0.5


@pytest.mark.django_db
def test_a_moved_clock_resolves_with_no_new_fact(site):
    key = f"o{site.access.pk}|search"
    reading(site.access, local(MOSCOW, 2026, 1, 12, 9, 0), search=40, documents=800)  # 20 % used: no low use
    run_once(local(MOSCOW, 2026, 1, 12, 9, 1))
    assert state("OnlineBillingSearchLeft50", key) == State.FIRING
    assert run_once(local(MOSCOW, 2026, 1, 31, 23, 59)) == []
    flips = run_once(local(MOSCOW, 2026, 2, 1, 0, 1))
    assert [(f.alert.rule, f.new_state) for f in flips] == [("OnlineBillingSearchLeft50", "resolved")]


@pytest.mark.django_db(transaction=True)  # the evaluator commits from its own thread
def test_the_thread_evaluates_until_stopped(site):
    now = datetime.now(UTC)
    reading(site.access, now - timedelta(minutes=5), documents=0)
    evaluator = Evaluator(every=0.05)
    evaluator.start()
    deadline = time.monotonic() + 10
    while evaluator.passes < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    evaluator.stop.set()
    evaluator.join(10)
    assert not evaluator.is_alive() and evaluator.passes >= 2
    assert Alert.objects.get(rule="OnlineBillingDocsLeftZero").state == State.FIRING


@pytest.mark.django_db
def test_the_command_prints_the_flips(site):
    reading(site.access, local(MOSCOW, 2026, 1, 12, 9, 0), search=40, documents=800)  # 20 % used: no low use
    out, err = StringIO(), StringIO()
    call_command("evaluate-alerts", "--now", "2026-01-12T06:01:00", stdout=out, stderr=err)
    assert f"FIRING   OnlineBillingSearchLeft50 o{site.access.pk}|search" in out.getvalue()
    assert "поиск: в этом месяце осталось 40 из 500 единиц" in out.getvalue()
    assert "изменений состояния на 2026-01-12T06:01:00+00:00: 1" in err.getvalue()

    out = StringIO()
    call_command("evaluate-alerts", "--now", "2026-02-01T00:30:00+03:00", "--rule", "OnlineBillingSearchLeft50",
                 stdout=out, stderr=StringIO())
    assert f"RESOLVED OnlineBillingSearchLeft50 o{site.access.pk}|search" in out.getvalue()

    out = StringIO()
    call_command("evaluate-alerts", "--now", "2026-02-01T00:30:00+03:00", "--evaluation", "on_check", stdout=out,
                 stderr=StringIO())
    assert out.getvalue() == ""  # nothing else changes
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("evaluate-alerts", "--now", "yesterday")
