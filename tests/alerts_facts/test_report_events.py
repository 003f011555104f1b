"""`event` conditions over what reports brought: new users, identity mismatches, collector error pages,
server version changes (and VersionChangedThenSilent, an all_of with staleness)."""
from datetime import timedelta

import pytest
from django.core.management import call_command

from smart.alerts.conditions.combine import all_of
from smart.alerts.conditions.reports_events import version_changed
from smart.alerts.conditions.scope import Scope
from smart.alerts.engine import evaluate
from smart.pipeline.worker import drain

from .build import now, report, status_file

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
S = timedelta(seconds=1)


def test_a_login_no_earlier_report_listed_is_a_new_user_for_a_day(deliver, roga, alert, state):
    t0 = now() - 5 * H
    deliver(report(t0))
    assert state("KodeksNewUser", f"i{roga.id}") is None  # the first report is the baseline
    deliver(report(t0 + H, users=["sidorov"]))
    found = alert("KodeksNewUser", f"i{roga.id}")
    assert found.state == "firing" and found.labels["users"] == ["sidorov"]
    assert f"ROGA: 1 new user(s): sidorov (Sidorov); first listed {t0 + H:%d.%m.%Y %H:%M} UTC" == found.detail
    deliver(report(t0 + 2 * H, users=["sidorov"]))
    assert state("KodeksNewUser", f"i{roga.id}") == "firing"
    evaluate(t0 + 25 * H - S, names={"KodeksNewUser"})
    assert state("KodeksNewUser", f"i{roga.id}") == "firing"
    evaluate(t0 + 25 * H + S, names={"KodeksNewUser"})  # quiet for 24 h since sidorov appeared
    assert state("KodeksNewUser", f"i{roga.id}") == "resolved"


def test_an_identity_mismatch_holds_until_accepted(deliver, roga, alert, state):
    t0 = now() - 5 * H
    deliver(report(t0))
    held = deliver(report(t0 + H, regnum="999999"))
    assert held.status == "identity_mismatch"
    found = alert("IdentityMismatch", f"i{roga.id}")
    assert found.state == "firing" and found.fired_at == t0 + H
    assert "says regnum '999999', expected '123456'" in found.detail and "smart accept-identity" in found.detail
    deliver(report(t0 + 2 * H))  # the old identity again: the held report still waits
    assert state("IdentityMismatch", f"i{roga.id}") == "firing"
    call_command("accept-identity", "--dealer", "0042", "--name", "ROGA")
    drain()
    assert state("IdentityMismatch", f"i{roga.id}") == "resolved"


def test_an_error_page_fires_per_stream_until_that_stream_sends_a_report(deliver, roga, alert, state):
    t0 = now() - 2 * H
    page = b"HTTP/1.1 503 Service Unavailable\r\n\r\n<html><title>503</title></html>"
    assert deliver(page, "ROGA.status").status == "error_page"
    found = alert("CollectorErrorPage", f"i{roga.id}|stream:status")
    assert found.state == "firing" and found.labels["http_status"] == 503
    assert "was an HTTP 503 error page instead of a report: K/TE is in maintenance" in found.detail
    deliver(report(t0))  # the other stream says nothing about this one
    assert state("CollectorErrorPage", f"i{roga.id}|stream:status") == "firing"
    deliver(status_file(t0 + H), "ROGA.status")
    assert state("CollectorErrorPage", f"i{roga.id}|stream:status") == "resolved"


def test_an_empty_upload_fires_from_ingest_and_a_broken_zip_does_not_clear_it(deliver, roga, alert, state):
    empty = deliver(b"", "ROGA.zip")
    assert empty.status == "empty"
    found = alert("CollectorErrorPage", f"i{roga.id}|stream:sysinfo")
    assert found.state == "firing" and "was an empty file instead of a report" in found.detail
    good = report(now() - H)
    assert deliver(good[: len(good) // 2]).status == "truncated"
    assert state("CollectorErrorPage", f"i{roga.id}|stream:sysinfo") == "firing"
    deliver(good)
    assert state("CollectorErrorPage", f"i{roga.id}|stream:sysinfo") == "resolved"


def test_a_version_change_then_silence_is_version_changed_then_silent(deliver, roga, alert, state):
    t0 = now() - 10 * H
    condition = {"kind": "event", "event": "version_changed", "scope": "last_report"}
    deliver(report(t0, version="6.4.5.46"))
    assert version_changed(condition, Scope(t0)) == {}  # the first version is no change
    deliver(report(t0 + H, version="6.4.5.50"))
    change = version_changed(condition, Scope(t0 + H))[f"i{roga.id}"]
    assert change.at == t0 + H and change.labels["previous"] == "6.4.5.46 [12]"
    evaluate(t0 + 3 * H, names={"VersionChangedThenSilent"})
    assert state("VersionChangedThenSilent", f"i{roga.id}") is None  # 2 h is not more than 2 h
    evaluate(t0 + 3 * H + S, names={"VersionChangedThenSilent", "SmartXMLfileIsToOld"})
    found = alert("VersionChangedThenSilent", f"i{roga.id}")
    assert found.state == "firing" and found.pending_since == t0 + 3 * H
    assert "server version changed from 6.4.5.46 [12] to 6.4.5.50 [12]" in found.detail
    assert "no sysinfo for 2 h" in found.detail
    evaluate(t0 + 5 * H, names={"VersionChangedThenSilent", "SmartXMLfileIsToOld"})
    silent = alert("SmartXMLfileIsToOld", f"i{roga.id}")
    assert silent.state == "pending" and silent.inhibited_by == "VersionChangedThenSilent"
    deliver(report(t0 + 6 * H, version="6.4.5.50"))
    assert state("VersionChangedThenSilent", f"i{roga.id}") == "resolved"
    assert state("SmartXMLfileIsToOld", f"i{roga.id}") == "resolved"


def test_all_of_holds_only_where_every_part_holds(roga, installation):
    other = installation("ROGB")
    for inst, seasonal in ((roga, True), (other, False)):
        inst.client.support_ended, inst.client.seasonal = True, seasonal
        inst.client.save()
    condition = {"kind": "all_of", "conditions": [{"kind": "registry_flag", "flag": "support_ended", "value": True},
                                                   {"kind": "registry_flag", "flag": "seasonal", "value": True}]}
    found = all_of(condition, Scope(now()))
    assert list(found) == [f"i{roga.id}"]
    assert found[f"i{roga.id}"].detail == "ROGA: the client Рога is flagged “support ended”; " \
                                          "ROGA: the client Рога is flagged “seasonal”"
    unknown = {"kind": "all_of", "conditions": [condition, {"kind": "no_such_kind"}]}
    assert all_of(unknown, Scope(now())) == {}
