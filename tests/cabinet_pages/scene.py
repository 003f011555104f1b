"""A dealer's world for the page tests, with every number the pages show known by construction.

Dealer A (cabinet.users.World): the world's three pulled installations never reported; two pushed ones are
added here and report through ingest and the pipeline (manual upload channel):

| installation | client (manager)          | reports                 | firing alerts | state at `now` |
|--------------|---------------------------|-------------------------|---------------|----------------|
| zavod-a…     | branch_client (manager)   | none                    | P1            | failing        |
| bank-a…      | other_manager_client      | none                    | P2            | failing        |
| shkola-a…    | unmanaged_client          | none                    | —             | silent         |
| ZVEZDA-A     | branch_client (manager)   | sysinfo + status, fresh | P3            | warning        |
| FRESH-A      | unmanaged_client          | sysinfo, fresh, 8 h     | —             | ok             |

Online accesses: branch_client's was checked a minute ago (ok), other_manager_client's has a P2 alert
(failing), unmanaged_client's was never checked (silent). One quarantined upload; ZVEZDA-A has a licence
ending on the last day of this month and one on the first day of the next. Dealer B has one P1 alert.
"""
import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from smart.alerts.lifecycle import Observation, RuleSpec, apply
from smart.alerts.models import Alert
from smart.formats.model import Licence
from smart.ingest import service
from smart.pipeline.worker import drain
from smart.probes.models import CheckState
from smart.registry.models import ClientContact, Installation
from tests.alerts_facts.build import report, status_file

UTC = timezone.utc
MSK = ZoneInfo("Europe/Moscow")


def fire(rule, obj, at, priority, legacy="K3", detail="", labels=None, **ids) -> Alert:
    """An alert fired through the lifecycle (pending → firing at once, for_s = 0)."""
    key = ids.pop("key", None) or (f"i{obj.pk}" if isinstance(obj, Installation) else f"o{obj.pk}")
    spec = RuleSpec(rule, priority=priority, legacy_priority=legacy, importance="critical")
    apply(spec, [Observation(key, at, detail=detail, dealer_id=obj.dealer_id, client_id=obj.client_id,
                             labels=labels or {}, **ids)], {"object_key": key}, at)
    return Alert.objects.get(rule=rule, object_key=key)


def resolve(alert: Alert, at) -> Alert:
    apply(RuleSpec(alert.rule, priority=alert.priority), [], {"object_key": alert.object_key}, at)
    alert.refresh_from_db()
    return alert


def upload(dealer, name: str, content: bytes, ext: str = "zip"):
    outcome = service.accept_internal(dealer, f"{name}.{ext}", content)
    drain()
    outcome.report.refresh_from_db()
    return outcome.report


def month_end(today: date) -> date:
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


@dataclass
class Scene:
    world: object
    now: datetime
    zvezda: Installation
    fresh: Installation
    alerts: dict
    report: object
    status_at: datetime
    report_at: datetime
    licence_end: date

    @property
    def a(self):
        return self.world.a


def build(world) -> Scene:
    a = world.a
    now = datetime.now(UTC).replace(microsecond=0)
    report_at = now - timedelta(minutes=20)
    today = now.astimezone(MSK).date()
    licence_end = month_end(today)
    zvezda = Installation.objects.create(dealer=a.dealer, client=a.branch_client, kind="pushed", name="ZVEZDA-A",
                                         manager=a.manager, expected_interval_s=3600)
    fresh = Installation.objects.create(dealer=a.dealer, client=a.unmanaged_client, kind="pushed", name="FRESH-A",
                                        expected_interval_s=8 * 3600)
    licences = (Licence(product="Кодекс: Охрана труда", expires_on=licence_end, seats=10),
                Licence(product="Техэксперт: ГОСТы", expires_on=licence_end + timedelta(days=1), seats=10),
                Licence(product="Кодекс: Законодательство", expires_on=today + timedelta(days=400), seats=10))
    first = upload(a.dealer, "ZVEZDA-A", report(report_at - timedelta(hours=2), licences=licences, version="6.4.5.46"))
    assert first.status == "ok", first.detail
    done = upload(a.dealer, "ZVEZDA-A", report(report_at, licences=licences, version="6.4.5.50", sessions=3))
    assert done.status == "ok", done.detail
    status_at = now - timedelta(minutes=10)
    assert upload(a.dealer, "ZVEZDA-A", status_file(status_at), "status").status == "ok"
    assert upload(a.dealer, "FRESH-A", report(report_at, version="6.4.5.46")).status == "ok"
    quarantined = service.accept_internal(a.dealer, "UNKNOWN-NAME.zip", report(report_at))
    assert quarantined.report.quarantined
    # The reports raise what the alerts engine finds in them (licence horizons, ...): the page tests set the
    # alerts themselves, the engine has its own tests.
    Alert.objects.all().delete()

    ClientContact.objects.create(client=a.branch_client, name="Сисадмин Пётр", phone="+7 900 000-00-01",
                                 messenger="@petr_admin", notes="AnyDesk 123 456 789")
    zavod, bank = a.installations[a.branch_client.slug], a.installations[a.other_manager_client.slug]
    fired = now - timedelta(minutes=30)
    alerts = {
        "zavod_p1": fire("KodeksTcpStatus", zavod, fired, "P1", "K1", detail="connection refused",
                         installation_id=zavod.pk),
        "bank_p2": fire("KodeksWarning", bank, fired, "P2", "K2", detail="servicing needed", installation_id=bank.pk),
        "zvezda_p3": fire("KodeksDBOperUpToOld", zvezda, fired, "P3", "K5", detail="operup 4 days old",
                          labels={"file": r"D:\Kodeks\OperUp\a.upd"}, installation_id=zvezda.pk),
        "bank_access_p2": fire("OnlineBillingDocsLeft50", a.accesses[a.other_manager_client.slug], fired, "P2", "K4",
                               detail="42 documents left", key=f"o{a.accesses[a.other_manager_client.slug].pk}|documents",
                               online_access_id=a.accesses[a.other_manager_client.slug].pk),
        "b_p1": fire("KodeksTcpStatus", world.b.installations[world.b.branch_client.slug], fired, "P1", "K1",
                     installation_id=world.b.installations[world.b.branch_client.slug].pk),
    }
    old = fire("KodeksHttp200Status", zvezda, now - timedelta(days=2), "P1", "K1", detail="HTTP 503",
               installation_id=zvezda.pk)
    alerts["zvezda_resolved"] = resolve(old, now - timedelta(days=2) + timedelta(hours=1))
    ok_access = a.accesses[a.branch_client.slug]
    CheckState.objects.create(target_key=f"o{ok_access.pk}:billing", dealer=a.dealer, online_access=ok_access,
                              check_type="billing", ok=True, since=now - timedelta(days=1),
                              last_run_at=now - timedelta(minutes=1), last_ok_at=now - timedelta(minutes=1))
    return Scene(world, now, zvezda, fresh, alerts, done, status_at, report_at, licence_end)
