"""The on-fact hook: the pipeline's report_processed signal for every outcome, a pass narrowed to the
one installation and the rules the outcome feeds, at the newest fact's time, historical for a closed
network's backlog, and never failing the pipeline."""
from datetime import datetime, timedelta, timezone

import pytest

from smart.alerts import facts_hook
from smart.ingest import service
from smart.pipeline.signals import report_processed
from smart.pipeline.worker import drain

from .build import now, report, status_file, upload

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, **kwargs):
        calls.append((kwargs["installation"].name, kwargs["status"], kwargs["at"]))

    report_processed.connect(receiver, dispatch_uid="test-heard")
    yield calls
    report_processed.disconnect(dispatch_uid="test-heard")


def test_every_outcome_is_signalled(deliver, heard):
    t0 = now() - 3 * H
    deliver(report(t0))
    deliver(report(t0 + H, regnum="999999"))
    deliver(b"<html><title>401 Unauthorized</title></html>", "ROGA.zip")
    deliver(b"", "ROGA.status")
    deliver(status_file(t0 + 2 * H), "ROGA.status")
    assert heard == [("ROGA", "ok", t0), ("ROGA", "identity_mismatch", t0 + H), ("ROGA", "error_page", None),
                     ("ROGA", "empty", None), ("ROGA", "ok", t0 + 2 * H)]


def test_the_pass_is_about_one_installation(deliver, roga, dealer, installation, state):
    installation("ROGB")
    t0 = now() - 3 * H
    deliver(report(t0, key="not_found"))
    upload(dealer, "ROGB", report(t0, key="not_found"))
    deliver(report(t0 + H, key="ok"))
    rogb = roga.dealer.installations.get(name="ROGB")
    assert state("KodeksXmlSensLockStatus", f"i{roga.id}") == "resolved"
    assert state("KodeksXmlSensLockStatus", f"i{rogb.id}") == "firing"


def test_rules_are_chosen_by_what_the_outcome_feeds():
    sysinfo, status, bookkeeping = (facts_hook.rule_names(s) for s in ("sysinfo", "status", None))
    assert {"KodeksXmlSensLockStatus", "KodeksDBerrorsCode2007Count", "SmartXMLfileIsToOld",
            "VersionChangedThenSilent", "SmartXMLfileIsToOldCount", "CollectorErrorPage"} <= sysinfo
    assert not {"KodeksSppStatus", "SmartStatusIsToOld", "KodeksHttp200Status"} & sysinfo
    assert {"KodeksSppStatus", "SmartStatusIsToOld", "KodeksHttp200Status", "KodeksOfflineSensLockCheck"} <= status
    assert "KodeksXmlSensLockStatus" not in status
    assert bookkeeping == {"CollectorErrorPage", "IdentityMismatch"}


def test_the_evaluation_time_is_the_newest_fact_never_past_now(deliver, roga):
    t0 = now() - 3 * H
    deliver(report(t0 + H))
    late = deliver(report(t0))
    assert facts_hook.evaluation_time(roga, late, t0) == t0 + H  # an older report is judged as of the newer state
    page = deliver(b"", "ROGA.status")
    assert facts_hook.evaluation_time(roga, page, None) == page.received_at  # no own time: its receipt
    ahead = deliver(report(now() + 2 * H))  # a K/TE clock running ahead
    before = datetime.now(timezone.utc)
    found = facts_hook.evaluation_time(roga, ahead, ahead.report_time)
    assert before <= found <= datetime.now(timezone.utc)


def test_a_failing_evaluation_is_logged_and_processing_goes_on(deliver, monkeypatch, caplog):
    from smart.alerts import engine

    def broken(*args, **kwargs):
        raise RuntimeError("evaluation on fire")

    monkeypatch.setattr(engine, "evaluate", broken)
    done = deliver(report(now() - H, key="not_found"))
    assert done.status == "ok" and done.jobs.get().state == "done"
    assert "on-fact alert evaluation failed" in caplog.text and "evaluation on fire" in caplog.text


def test_a_closed_networks_backlog_is_historical(deliver, roga, dealer, alert):
    roga.client.closed_network = True
    roga.client.save()
    deliver(report(now() - 3 * 86400 * timedelta(seconds=1), key="not_found"))
    assert alert("KodeksXmlSensLockStatus", f"i{roga.id}").historical is True
    deliver(report(now() - timedelta(minutes=30), key="not_found"))
    assert alert("KodeksXmlSensLockStatus", f"i{roga.id}").historical is False


def test_a_manual_upload_of_an_old_report_is_historical(roga, dealer, alert):
    outcome = service.accept_internal(dealer, "ROGA.zip", report(now() - 5 * H, key="not_found"))
    drain()
    outcome.report.refresh_from_db()
    assert outcome.report.status == "ok"
    assert alert("KodeksXmlSensLockStatus", f"i{roga.id}").historical is True
