"""status_value and disk_free: .status files through ingest and the pipeline → the on-fact hook → alerts."""
from datetime import timedelta

import pytest

from smart.alerts.conditions.reports import status_value
from smart.alerts.conditions.scope import Scope
from smart.alerts.engine import evaluate
from smart.alerts.models import Flip

from .build import now, status_file

pytestmark = pytest.mark.django_db
M15 = timedelta(minutes=15)
NO_SEATS = (("reason", "no_free_seats"),)


@pytest.fixture
def status(deliver):
    def _status(at, **series):
        report = deliver(status_file(at, **series), "ROGA.status")
        assert report.status == "ok", report.detail
        return report

    return _status


def test_main_page_fires_after_its_for_and_resolves_on_a_good_file(status, roga, alert, state):
    t0 = now() - timedelta(hours=2)
    key = f"i{roga.id}"
    status(t0, main_page=1)
    assert state("KodeksHttp200Status", key) == "pending"  # for 5 min
    status(t0 + M15, main_page=1)
    found = alert("KodeksHttp200Status", key)
    assert found.state == "firing" and found.fired_at == t0 + M15 and found.pending_since == t0
    assert found.detail.startswith("ROGA: main_page = 1 (> 0)") and found.labels["host"] == "ROGA"
    status(t0 + 2 * M15, main_page=0)
    found = alert("KodeksHttp200Status", key)
    assert found.state == "resolved" and found.resolved_at == t0 + 2 * M15
    assert [f.new_state for f in Flip.objects.filter(alert=found).order_by("id")] == ["firing", "resolved"]


def test_two_files_in_a_row_are_needed_and_a_good_one_breaks_the_run(status, roga, state):
    t0 = now() - timedelta(hours=2)
    key = f"i{roga.id}"
    status(t0, maintenance=1)
    assert state("KodeksMaintenance", key) is None  # one file is not two in a row
    assert state("KodeksMaintenanceToLong", key) == "pending"  # one is enough for it, but for 3 h
    status(t0 + M15, maintenance=0)
    status(t0 + 2 * M15, maintenance=1)
    assert state("KodeksMaintenance", key) is None
    status(t0 + 3 * M15, maintenance=1)
    assert state("KodeksMaintenance", key) == "firing"  # since t0 + 30 min, for 1 min
    status(t0 + 4 * M15, maintenance=0)
    assert state("KodeksMaintenance", key) == "resolved"


def test_maintenance_for_three_hours_fires_the_long_one(status, roga, alert):
    t0 = now() - timedelta(hours=5)
    for minutes in (0, 60, 120, 175):
        status(t0 + timedelta(minutes=minutes), maintenance=1)
    assert alert("KodeksMaintenanceToLong", f"i{roga.id}").state == "pending"
    status(t0 + timedelta(minutes=190), maintenance=1)
    found = alert("KodeksMaintenanceToLong", f"i{roga.id}")
    assert found.state == "firing" and found.pending_since == t0


def test_an_older_file_arriving_late_does_not_resolve(status, roga, state):
    t0 = now() - timedelta(hours=2)
    status(t0 + M15, need_support=1)
    status(t0 + 2 * M15, need_support=1)
    assert state("KodeksNeedSupport", f"i{roga.id}") == "firing"
    status(t0, need_support=0)  # from before the run: history, not news
    assert state("KodeksNeedSupport", f"i{roga.id}") == "firing"


def test_a_series_is_compared_with_another(status, roga, state):
    t0 = now() - timedelta(hours=2)
    key = f"i{roga.id}"
    status(t0, seats_used=10, seats_total=10)
    assert state("KodeksLimitsUsers", key) == "pending"  # for 5 min
    status(t0 + M15, seats_used=12, seats_total=10)
    assert state("KodeksLimitsUsers", key) == "firing"
    status(t0 + 2 * M15, seats_used=9, seats_total=10)
    assert state("KodeksLimitsUsers", key) == "resolved"


def test_increase_mode_counts_refusals_within_the_window(status, roga, alert, state):
    t0 = now() - timedelta(hours=3)
    key = f"i{roga.id}"
    status(t0, login_denied_total={NO_SEATS: 3})
    assert state("KodeksDetectOverUserError", key) is None  # one sample: no increase known
    status(t0 + M15, login_denied_total={NO_SEATS: 5})
    found = alert("KodeksDetectOverUserError", key)
    assert found.state == "firing" and "rose by 2 within 30 min" in found.detail
    status(t0 + 2 * M15, login_denied_total={NO_SEATS: 5})
    assert state("KodeksDetectOverUserError", key) == "firing"  # t0 is still inside the 30 min
    status(t0 + 3 * M15, login_denied_total={NO_SEATS: 5})
    assert state("KodeksDetectOverUserError", key) == "resolved"
    status(t0 + 4 * M15, login_denied_total={NO_SEATS: 1})  # K/TE restarted: counting from zero again
    assert state("KodeksDetectOverUserError", key) == "firing"


def test_a_stale_status_file_no_longer_counts(status, roga, state):
    t0 = now() - timedelta(hours=3)
    status(t0, main_page=1)
    assert state("KodeksHttp200Status", f"i{roga.id}") == "pending"
    evaluate(t0 + timedelta(minutes=46), names={"KodeksHttp200Status"})  # max_age_s 2700
    assert state("KodeksHttp200Status", f"i{roga.id}") == "resolved"


def test_a_series_status_files_do_not_curate_is_never_true(status, roga, state):
    t0 = now() - timedelta(hours=2)
    status(t0, fan_rpm=0)
    status(t0 + M15, fan_rpm=0)
    condition = {"kind": "status_value", "series": "fan_rpm", "op": "==", "value": 0, "consecutive": 1}
    assert status_value(condition, Scope(t0 + M15)) == {}


def test_a_server_that_does_not_expose_spp_leaves_the_spp_rule_silent(status, roga, state):
    t0 = now() - timedelta(hours=2)
    status(t0, maintenance=0)
    status(t0 + M15, maintenance=0)
    assert state("KodeksSppStatus", f"i{roga.id}") is None  # missing series = unknown, never "down"
    status(t0 + 2 * M15, spp_up=0)
    status(t0 + 3 * M15, spp_up=0)
    assert state("KodeksSppStatus", f"i{roga.id}") == "firing"


def test_low_disk_fires_per_partition(status, roga, alert, state):
    t0 = now() - timedelta(hours=2)
    status(t0, disk_free_bytes={(("path", "D:"),): 5e9, (("path", "E:"),): 5e10},
           disk_size_bytes={(("path", "D:"),): 1e11})
    found = alert("KodeksDiskSpaceLow", f"i{roga.id}|disk:D:")
    assert found.state == "firing" and found.fired_at == t0 and found.labels["path"] == "D:"
    assert found.detail == "ROGA: 4.7 GB free of 93.1 GB on D: (below 10.0 GB)"
    assert state("KodeksDiskSpaceLow", f"i{roga.id}|disk:E:") is None
    status(t0 + M15, disk_free_bytes={(("path", "D:"),): 2e10, (("path", "E:"),): 5e10})
    assert state("KodeksDiskSpaceLow", f"i{roga.id}|disk:D:") == "resolved"
