"""ASRP forwarding against the ASRP stand-in over real HTTP: weekly, newest distinct sysinfo, never a
duplicate as new, retries with back-off, permanent refusals kept with ASRP's words."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from smart.ingest import service
from smart.pipeline.worker import drain
from smart.registry.models import Client, Installation
from smart.reports import asrp
from smart.reports.models import AsrpForward
from smart.simulator.asrp import AsrpStandin
from smart.simulator.fleet import Fleet

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def standin(settings):
    s = AsrpStandin(token="asrp-secret").start()
    settings.SMART_ASRP_URL = s.url
    settings.SMART_ASRP_TOKEN = "asrp-secret"
    yield s
    s.stop()


@pytest.fixture
def fleet():
    return Fleet(seed=9, installations=3, start=(NOW - timedelta(days=60)).date(), now=NOW)


def report(dealer, inst, fleet, i, t):
    assert service.accept_internal(dealer, f"{inst.name}.zip", fleet.sysinfo_zip(i, t)).code == "ok"
    drain()


@pytest.fixture
def insts(dealer, fleet):
    client = Client.objects.create(dealer=dealer, slug="C", display_name="C")
    made = [Installation.objects.create(dealer=dealer, client=client, kind="pushed", name=fleet.name(i),
                                        upload=(i < 2)) for i in range(3)]
    for i, inst in enumerate(made):
        report(dealer, inst, fleet, i, NOW - timedelta(hours=2))
    return made


def test_weekly_forward_then_repeat_without_resending(dealer, insts, fleet, standin):
    rows = asrp.run_once(NOW)
    assert sorted(r.installation.name for r in rows) == sorted(i.name for i in insts[:2])  # not the third
    for r in AsrpForward.objects.all():
        assert (r.state, r.response, r.asrp_state, r.attempts) == ("sent", "ok", "accepted", 1)
        assert len(r.upload_number) == 22 and int(r.upload_number[:8], 16) > 0 and len(r.asrp_guid) == 36
    received = standin.received
    assert len(received) == 2 and {x["dealername"] for x in received} == {dealer.header_value}
    assert asrp.run_once(NOW + timedelta(days=1)) == []  # the period has not passed
    # a week later with no new sysinfo: logged as repeat, nothing sent
    later = asrp.run_once(NOW + timedelta(days=7, minutes=1))
    assert later == [] and len(standin.received) == 2
    repeats = AsrpForward.objects.filter(state="repeat")
    assert repeats.count() == 2 and set(repeats.values_list("response", flat=True)) == {"warning"}
    # a new sysinfo for one of them: that one is sent, the other is again a repeat
    report(dealer, insts[0], fleet, 0, NOW + timedelta(days=13))
    asrp.run_once(NOW + timedelta(days=14, minutes=2))
    assert len(standin.received) == 3
    newest = AsrpForward.objects.filter(installation=insts[0]).latest("created_at")
    assert newest.state == "sent" and newest.asrp_state == "accepted"
    assert AsrpForward.objects.filter(installation=insts[1], state="repeat").count() == 2


def test_transient_failures_are_retried_with_backoff(dealer, insts, standin):
    standin.fail_next = 4  # both installations fail twice
    asrp.run_once(NOW)
    pending = AsrpForward.objects.filter(state="pending")
    assert pending.count() == 2 and all(r.next_attempt_at == NOW + timedelta(seconds=60) for r in pending)
    assert "HTTP 500" in pending[0].error
    assert asrp.run_once(NOW + timedelta(seconds=30)) == []  # not due yet
    asrp.run_once(NOW + timedelta(seconds=61))
    assert all(r.next_attempt_at == NOW + timedelta(seconds=361) for r in AsrpForward.objects.all())
    asrp.run_once(NOW + timedelta(seconds=362))
    assert list(AsrpForward.objects.values_list("state", "attempts").distinct()) == [("sent", 3)]
    assert len(standin.received) == 2  # each file reached ASRP once


def test_refusal_and_timeout(dealer, insts, standin, settings, tmp_path):
    standin.reject = "дилер не зарегистрирован"
    asrp.run_once(NOW)
    failed = AsrpForward.objects.filter(state="failed")
    assert failed.count() == 2 and "дилер не зарегистрирован" in failed[0].error
    # a failed file is tried again next period (it never reached ASRP)
    standin.reject = ""
    cfg = json.loads(asrp.ADAPTER.read_text())
    cfg["timeout_s"] = 0.5
    (tmp_path / "adapter.json").write_text(json.dumps(cfg))
    settings.SMART_ASRP_ADAPTER = str(tmp_path / "adapter.json")
    standin.hang_next, standin.hang_s = 2, 2.0
    asrp.run_once(NOW + timedelta(days=7, minutes=1))
    timed_out = AsrpForward.objects.filter(state="pending")
    assert timed_out.count() == 2 and "Timeout" in timed_out[0].error


def test_wrong_token_is_a_permanent_failure(dealer, insts, standin, settings):
    settings.SMART_ASRP_TOKEN = "wrong"
    asrp.run_once(NOW)
    assert set(AsrpForward.objects.values_list("state", "http_status")) == {("failed", 401)}


def test_asrp_dashboard_counts_and_log(dealer, insts, standin, client):
    from smart.registry.models import Role, User

    asrp.run_once(NOW)
    asrp.run_once(NOW + timedelta(days=7, minutes=1))  # two repeats
    User.objects.create_user("adm", password="a-long-password-1", role=Role.DEALER_ADMIN, dealer=dealer)
    assert client.login(username="adm", password="a-long-password-1")
    q = "?from=2026-02-20T00:00&to=2026-03-20T00:00"
    accepted = client.get(f"/d/asrp/panel/accepted.json{q}").json()
    assert [r["n"] for r in accepted["rows"]] == [2]
    not_ok = client.get(f"/d/asrp/panel/not-ok.json{q}").json()
    assert [r["n"] for r in not_ok["rows"]] == [2]
    log = client.get(f"/d/asrp/panel/log.json{q}").json()["rows"]
    assert len(log) == 4 and {r["response"] for r in log} == {"ok", "warning"}
    assert all(r["dealer"] == dealer.header_value for r in log)
