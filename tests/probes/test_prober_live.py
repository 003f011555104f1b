"""The whole prober (scheduler, checks, pulls, scraping, writer) against the stand-ins, from the registry."""
import time

import pytest

from smart.ingest.models import Channel, Report
from smart.probes.models import CheckSample, CheckState, OnlineCounters
from smart.probes.prober import Prober
from smart.registry.models import OnlineAccess

pytestmark = pytest.mark.django_db(transaction=True)  # the prober commits from its own threads


def wait_for(predicate, timeout=15.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def _state(inst, check):
    return CheckState.objects.filter(target_key=f"i{inst.id}:{check}").first()


@pytest.fixture
def registered(pulled, kte, standin, settings):
    """The pulled installation and an online access, pointed at the stand-ins by name (connect-to)."""
    settings.SMART_PROBE_MIN_INTERVAL_S = 0.5
    settings.SMART_ONLINE_BILLING_INTERVAL_S = 1
    online = standin.online(0)
    account = next(iter(standin.state(online.name)["accounts"].items()))
    login, info = account
    settings.SMART_CONNECT_TO = {"10234.te-cloud.ru:443": f"http://127.0.0.1:{kte.port}",
                                 "online.kodeks.ru:443": f"http://127.0.0.1:{online.port}"}
    pulled.address, pulled.port, pulled.scheme = "10234.te-cloud.ru", 443, "https"
    pulled.probe_interval_s, pulled.status_interval_s, pulled.expected_interval_s = 1, 2, 2
    pulled.smartlogin_password, pulled.licman_address, pulled.licman_port = kte.password, "127.0.0.1", kte.licman.port
    pulled.save()
    access = OnlineAccess.objects.create(
        dealer=pulled.dealer, client=pulled.client, firm="Ромашка", login=login, password=info.get("password", login),
        host="online.kodeks.ru", folder=info["folder"], scheme="https")
    return pulled, access


def test_the_prober_runs_every_check_and_records_an_outage_within_two_intervals(registered, standin, kte):
    inst, access = registered
    prober = Prober(refresh_every=0.5, seed=1)
    prober.start()
    try:
        checks = ("tcp", "http200", "Maintenance", "proxy", "auth", "key", "warning", "limit", "licman_tcp",
                  "pull_sysinfo", "pull_status")
        assert wait_for(lambda: all(_state(inst, c) is not None for c in checks)), \
            [c for c in checks if _state(inst, c) is None]
        assert all(_state(inst, c).ok for c in checks), {c: _state(inst, c).detail for c in checks if not _state(inst, c).ok}
        assert wait_for(lambda: OnlineCounters.objects.filter(online_access=access).exists()), \
            list(CheckState.objects.filter(online_access=access).values("check_type", "state", "detail"))
        assert Report.objects.filter(installation=inst, channel=Channel.PULL, stream="sysinfo").exists()
        assert Report.objects.filter(installation=inst, channel=Channel.PULL, stream="status").exists()

        wait_for(lambda: _state(inst, "tcp").runs >= 2)
        standin.set_fault(kte.name, "refused")
        went_down = time.monotonic()
        assert wait_for(lambda: _state(inst, "tcp").ok is False, timeout=10)
        elapsed = time.monotonic() - went_down
        assert elapsed <= 2 * 1.0 + 0.6, elapsed  # two probe intervals (+ the writer's half-second batch)
        assert CheckSample.objects.filter(installation=inst, check_type="tcp", ok=False, state="refused").exists()
        standin.set_fault(kte.name, "refused", False)
        assert wait_for(lambda: _state(inst, "tcp").ok is True, timeout=10)
        assert prober.scheduler.overlaps == 0
    finally:
        prober.shutdown()
    assert standin.state(standin.online(0).name)["accounts"][access.login]["consumed_by_http"] == \
        dict.fromkeys(("documents", "search", "print", "export"), 0)
