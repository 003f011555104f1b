"""Count roll-ups of the probe alerts end to end: the same fault on four K/TE stand-ins (or four online
accesses of one DC server) → the base alert on every host → its Count variant for the dealer (12
installations: T = 3) and for the platform → one Count message in the chat instead of the base alert's
(D §1.3 #5), the base alert by e-mail, the platform Count to SMART operations → recovery → the Count
resolves two clear evaluations later (hysteresis) → RESOLVED.

ICMP cannot fail on the loopback stand-ins, so those results are added to the prober's batches as the
ICMP check writes them; `KodeksMaintenanceCount` needs 31 hosts, so their results are recorded directly.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from smart.alerts.models import Alert, State
from smart.probes.results import Result
from smart.probes.store import Recorder
from smart.registry.models import Installation, OnlineAccess

from .test_probe_alerts_e2e import (OPS_MAIL, Clock, Driver, alert_of, assert_downtime, attach, delivery,  # noqa: F401
                                    fires_on, standin_host, standins)

UTC = timezone.utc
HOSTS = 4
pytestmark = pytest.mark.django_db


@dataclass
class Mass:
    count: str
    faults: dict
    via_proxy: bool = False
    interval: float = 60
    icmp: bool = False  # the base alert's check is ICMP: its failures come with the prober's batches
    held: tuple = ()

    def __str__(self) -> str:
        return self.count

    @property
    def base(self) -> str:
        return self.count.removesuffix("Count")


MASS = [
    Mass("KodeksTcpStatusCount", {"refused": True}),
    Mass("KodeksHttp200StatusCount", {"server_error": True}),
    Mass("KodeksBehindProxyDownCount", {"proxy_down": True}, via_proxy=True,
         held=("KodeksHttp200Status", "KodeksHttp200StatusCount")),
    Mass("KodeksMaintenanceToLongCount", {"maintenance": True}, interval=1800, held=("KodeksMaintenanceCount",)),
    Mass("KodeksIcmpCount", {}, icmp=True),
]
COVERS = {m.count for m in MASS} | {"OnlineServerUnreachableCount", "KodeksMaintenanceCount"}


def icmp(installations, ok: bool) -> list[Result]:
    """What checks.icmp_check gives for a host that answers, or one whose echo requests are all lost."""
    return [Result(check="icmp", ok=ok, at=datetime.now(UTC), state="ok" if ok else "loss",
                   detail="3/3 replies" if ok else "100% loss (3 echo requests)", dealer_id=i.dealer_id,
                   installation_id=i.id) for i in installations]


@pytest.mark.parametrize("case", MASS, ids=str)
def test_a_mass_fault_sends_one_count_message_instead_of_many(case, fleet, dealer, standins, delivery):  # noqa: F811
    hosts = [attach(inst, standins.kte(n), case.via_proxy) for n, inst in enumerate(fleet[0][:HOSTS])]
    k = fires_on(case.base, case.interval)
    clock, driver = Clock(k + 2, case.interval), Driver(hosts)
    driver.cycle(clock.at(0), extra=icmp(hosts, True) if case.icmp else ())
    for n in range(HOSTS):
        standins.set_faults(standins.kte(n).name, case.faults)
    for cycle in range(1, k + 2):
        driver.cycle(clock.at(cycle), extra=icmp(hosts, False) if case.icmp else ())
        tenant = alert_of(case.count, object_key=f"d{dealer.id}")
        assert (tenant is not None and tenant.state == State.FIRING) == (cycle >= k), (cycle, tenant)
    assert Alert.objects.filter(rule=case.base, state=State.FIRING).count() == HOSTS
    assert f"{HOSTS} hosts firing {case.base} (threshold 3)" in tenant.detail
    assert alert_of(case.count, object_key="platform").state == State.FIRING
    delivery.run()
    delivery.expect("FIRING", case.count)  # one e-mail, the only chat message
    delivery.expect("FIRING", case.base, chats=0)  # [FIRING:4] by e-mail; its chat messages go to the Count
    assert delivery.mails("FIRING", case.base)[0].subject == f"[FIRING:{HOSTS}] {case.base}"
    assert len(delivery.mails("FIRING", case.count, to=OPS_MAIL)) == 1  # the platform scope
    assert not delivery.rules_told() & set(case.held)

    for n in range(HOSTS):
        standins.clear_faults(standins.kte(n).name)
    driver.cycle(extra=icmp(hosts, True) if case.icmp else ())
    assert set(Alert.objects.filter(rule=case.base).values_list("state", flat=True)) == {State.RESOLVED}
    assert alert_of(case.count, object_key=f"d{dealer.id}").state == State.FIRING  # 1 of 2 clear passes
    delivery.run()
    mail = delivery.expect("RESOLVED", case.base, chats=0)[0]
    assert_downtime(mail, Alert.objects.filter(rule=case.base).first(), 2 * clock.interval)
    driver.cycle(extra=icmp(hosts, True) if case.icmp else ())
    assert alert_of(case.count, object_key=f"d{dealer.id}").state == State.RESOLVED
    delivery.run()
    delivery.expect("RESOLVED", case.count)
    assert len(delivery.mails("RESOLVED", case.count, to=OPS_MAIL)) == 1


def test_a_dc_server_unreachable_for_many_accesses_is_one_count_per_server(fleet, dealer, standins, delivery,  # noqa: F811
                                                                          settings):
    online = standins.online(0)
    settings.SMART_CONNECT_TO = {"online.kodeks.ru:443": f"http://127.0.0.1:{online.port}"}
    accounts = list(standins.state(online.name)["accounts"].items())[:HOSTS]
    accesses = [fleet[1]] + [OnlineAccess.objects.create(dealer=dealer, client=fleet[1].client, firm=f"Firm {n}",
                                                         login=f"x{n}", password="p", host="online.kodeks.ru",
                                                         folder="docs1") for n in range(1, HOSTS)]
    for access, (login, info) in zip(accesses, accounts):
        access.login, access.password, access.folder = login, info["password"], info["folder"]
        access.save()
    interval = settings.SMART_ONLINE_BILLING_INTERVAL_S
    k = fires_on("OnlineServerUnreachable", interval)
    clock, driver = Clock(k + 2, interval), Driver(accesses=accesses)
    driver.cycle(clock.at(0))
    standins.set_fault(online.name, "refused")
    for cycle in range(1, k + 2):
        driver.cycle(clock.at(cycle))
    key = f"d{dealer.id}|online.kodeks.ru"
    count = alert_of("OnlineServerUnreachableCount", object_key=key)
    assert count.state == State.FIRING and count.value == str(HOSTS)
    assert "online.kodeks.ru/docs1 romashka" in count.detail
    assert alert_of("OnlineServerUnreachableCount", object_key="platform|online.kodeks.ru").state == State.FIRING
    delivery.run()
    delivery.expect("FIRING", "OnlineServerUnreachableCount")
    delivery.expect("FIRING", "OnlineServerUnreachable")
    assert len(delivery.mails("FIRING", "OnlineServerUnreachableCount", to=OPS_MAIL)) == 1

    standins.clear_faults(online.name)
    driver.cycle()
    driver.cycle()
    assert alert_of("OnlineServerUnreachableCount", object_key=key).state == State.RESOLVED
    delivery.run()
    delivery.expect("RESOLVED", "OnlineServerUnreachableCount")
    delivery.expect("RESOLVED", "OnlineServerUnreachable")


def test_more_than_30_hosts_in_maintenance_tell_smart_operations_and_the_dealer_once(fleet, dealer, delivery):  # noqa: F811
    client = fleet[0][0].client
    hosts = list(fleet[0]) + [Installation.objects.create(
        dealer=dealer, client=client, kind=Installation.Kind.PULLED, name=f"{11000 + n}.te-cloud.ru:443",
        address=f"{11000 + n}.te-cloud.ru", port=443) for n in range(31 - len(fleet[0]))]
    recorder = Recorder()

    def cycle(at, maintenance: bool):
        """The main page check of every host, as checks.main_page_checks reports a 503 maintenance page."""
        recorder.record([Result(check=check, ok=not maintenance, at=at, code=503 if maintenance else 200,
                                state="maintenance" if maintenance else "ok", dealer_id=i.dealer_id,
                                installation_id=i.id) for i in hosts for check in ("http200", "Maintenance")])

    k = fires_on("KodeksMaintenance", 60)
    clock = Clock(k + 2, 60)
    cycle(clock.at(0), False)
    for n in range(1, k + 2):
        cycle(clock.at(n), True)
    platform = alert_of("KodeksMaintenanceCount", object_key="platform")
    assert platform.state == State.FIRING and platform.dealer_id is None and platform.value == "31"
    assert "31 hosts firing KodeksMaintenance (threshold 31)" in platform.detail
    assert not Alert.objects.filter(rule="KodeksHttp200Status").exists()  # a maintenance page is not an outage
    delivery.run()
    assert len(delivery.mails("FIRING", "KodeksMaintenanceCount", to=OPS_MAIL)) == 1
    delivery.expect("FIRING", "KodeksMaintenance")  # the dealer's daily P4 digest: [FIRING:31], no chat
    assert delivery.mails("FIRING", "KodeksMaintenance")[0].subject == "[FIRING:31] KodeksMaintenance"
    assert alert_of("KodeksMaintenanceCount", object_key=f"d{dealer.id}").state == State.FIRING  # tenant scope too
    [told] = delivery.telegram.messages("-100777")  # the dealer's chat: the one Count message, no base alerts
    assert told["text"].startswith("<b>FIRING</b> KodeksMaintenanceCount")

    cycle(datetime.now(UTC), False)
    cycle(datetime.now(UTC) + timedelta(seconds=1), False)
    assert alert_of("KodeksMaintenanceCount", object_key="platform").state == State.RESOLVED
    delivery.run()
    assert len(delivery.mails("RESOLVED", "KodeksMaintenanceCount", to=OPS_MAIL)) == 1
    delivery.expect("RESOLVED", "KodeksMaintenance")
