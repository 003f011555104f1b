"""Probe alerts of online accesses and ICMP end to end (the sibling of test_probe_alerts_e2e.py).

Online accesses: a fault of the online-access stand-in → the prober's billing scrape (run_job) → the
alert → FIRING → the fault cleared → the next scrape → RESOLVED with the downtime; cycles one billing
interval apart. ICMP: the loopback stand-ins always answer a ping, so the failing echo results are put
into the prober's batches as checks.icmp_check writes them, beside the real probes of a stand-in.
"""
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from smart.alerts.models import Alert, State
from smart.probes.results import Result

from .test_probe_alerts_e2e import (Clock, Driver, alert_of, assert_downtime, attach, delivery,  # noqa: F401
                                    fires_on, standin_host, standins)

UTC = timezone.utc
pytestmark = pytest.mark.django_db


@dataclass
class Case:
    rule: str
    fault: str = ""  # of the online-access stand-in
    check: str = ""  # an ICMP check that fails (no stand-in fault can make it)
    held: tuple = ()

    def __str__(self) -> str:
        return self.rule


CASES = [
    Case("OnlineLoginFailed", fault="wrong_password", held=("OnlineServerUnreachable",)),
    Case("OnlineServerUnreachable", fault="refused", held=("OnlineLoginFailed",)),
    Case("KodeksIcmp", check="icmp"),
    Case("LicmanIcmp", check="licman_icmp"),
]
COVERS = {case.rule for case in CASES}


def echo(inst, check: str, ok: bool) -> list[Result]:
    """What checks.icmp_check writes for a host that answers, or one whose echo requests are all lost."""
    return [Result(check=check, ok=ok, at=datetime.now(UTC), state="ok" if ok else "loss",
                   detail="3/3 replies" if ok else "100% loss (3 echo requests)", dealer_id=inst.dealer_id,
                   installation_id=inst.id)]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_an_online_or_icmp_failure_fires_tells_and_resolves(case, fleet, standins, delivery, settings):  # noqa: F811
    if case.fault:
        online = standins.online(0)
        settings.SMART_CONNECT_TO = {"online.kodeks.ru:443": f"http://127.0.0.1:{online.port}"}
        access = fleet[1]
        login, info = next(iter(standins.state(online.name)["accounts"].items()))
        access.login, access.password, access.folder = login, info["password"], info["folder"]
        access.save()
        driver, interval, where = Driver(accesses=[access]), settings.SMART_ONLINE_BILLING_INTERVAL_S, \
            {"online_access": access}
        fail, heal, extra = (lambda: standins.set_fault(online.name, case.fault)), \
            (lambda: standins.clear_faults(online.name)), (lambda ok: ())
    else:
        inst = attach(fleet[0][0], standins.kte(0))
        driver, interval, where = Driver([inst]), 60, {"installation": inst}
        fail = heal = (lambda: None)  # the echo results below say it
        extra = (lambda ok: echo(inst, case.check, ok))
    k = fires_on(case.rule, interval)
    clock = Clock(k + 2, interval)
    driver.cycle(clock.at(0), extra=extra(True))
    assert not Alert.objects.exists()
    fail()
    for cycle in range(1, k + 2):
        driver.cycle(clock.at(cycle), extra=extra(False))
        found = alert_of(case.rule, **where)
        assert (found is not None and found.state == State.FIRING) == (cycle >= k), (cycle, found)
    delivery.run()
    firing = delivery.expect("FIRING", case.rule)[0]
    assert firing.headers["X-Smart-Alert"] == case.rule
    for rule in case.held:  # the other kind of failure is not this one
        assert alert_of(rule, **where) is None and rule not in delivery.rules_told(), rule

    heal()
    driver.cycle(extra=extra(True))
    resolved = alert_of(case.rule, **where)
    assert resolved.state == State.RESOLVED
    delivery.run()
    mail = delivery.expect("RESOLVED", case.rule)[0]
    assert_downtime(mail, resolved, 2 * clock.interval)
