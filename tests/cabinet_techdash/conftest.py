"""A dealer with two managers' clients, a head, an admin, a technician, an operator, and a second dealer
whose installation nobody of the first may see."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from smart.cabinet.dashboards import Ctx
from smart.cabinet.timerange import TimeRange

UTC = timezone.utc
H = timedelta(hours=1)
SLUGS = ["server-metrics", "availability", "availability-online", "versions", "db-errors", "connected-users",
         "smart-status"]
T0 = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def world(db, dealer):
    from smart.registry.models import Client, Dealer, Installation, OnlineAccess, Role, User

    other = Dealer.objects.create(code="0077", name="other", display_name="Другой дилер")
    users = {
        "operator": User.objects.create_user("op", password="pw", role=Role.OPERATOR),
        "admin": User.objects.create_user("adm", password="pw", role=Role.DEALER_ADMIN, dealer=dealer),
        "head": User.objects.create_user("head", password="pw", role=Role.HEAD, dealer=dealer),
        "tech": User.objects.create_user("tech", password="pw", role=Role.TECHNICIAN, dealer=dealer),
        "ivanov": User.objects.create_user("ivanov", password="pw", role=Role.MANAGER, dealer=dealer),
        "petrov": User.objects.create_user("petrov", password="pw", role=Role.MANAGER, dealer=dealer),
        "stranger": User.objects.create_user("stranger", password="pw", role=Role.DEALER_ADMIN, dealer=other),
    }
    zavod = Client.objects.create(dealer=dealer, display_name="Завод", slug="ZAVOD")
    zavod.managers.add(users["ivanov"])
    bank = Client.objects.create(dealer=dealer, display_name="Банк", slug="BANK")
    bank.managers.add(users["petrov"])
    far = Client.objects.create(dealer=other, display_name="Чужой", slug="FAR")
    inst = {
        "zavod": Installation.objects.create(dealer=dealer, client=zavod, kind="pulled", name="zavod.example:80",
                                             address="zavod.example", port=80),
        "bank": Installation.objects.create(dealer=dealer, client=bank, kind="pushed", name="BANK"),
        "far": Installation.objects.create(dealer=other, client=far, kind="pushed", name="FAR"),
    }
    online = {
        "zavod": OnlineAccess.objects.create(dealer=dealer, client=zavod, firm="Завод", login="z1", password="p",
                                             host="buh1.kodeks.ru", folder="docs"),
        "bank": OnlineAccess.objects.create(dealer=dealer, client=bank, firm="Банк", login="b1", password="p",
                                            host="buh1.kodeks.ru", folder="docs"),
        "bank2": OnlineAccess.objects.create(dealer=dealer, client=bank, firm="Банк", login="b2", password="p",
                                             host="lab4.kodeks.ru", folder="docs"),
        "far": OnlineAccess.objects.create(dealer=other, client=far, firm="Чужой", login="f1", password="p",
                                           host="buh1.kodeks.ru", folder="docs"),
    }
    return {"users": users, "inst": inst, "online": online, "dealer": dealer, "other": other}


def make_ctx(user, start, end, tz="UTC", **variables) -> Ctx:
    tr = TimeRange(start.isoformat(), end.isoformat(), start, end)
    return Ctx(user=user, now=end, tr=tr, tz=ZoneInfo(tz),
               vars={k: v if isinstance(v, list) else [str(v)] for k, v in variables.items()})


def values(series: dict) -> list:
    return list(series["y"])


def by_name(data: dict) -> dict:
    return {s["name"]: s for s in data["series"]}


def fill_world(world, t0):
    """Every panel's source filled for the three installations (one of them another dealer's), from t0 on."""
    from smart.metrics.models import (DbErrorEvent, DiskFree, InstallationState, SessionEvent, Snapshot,
                                      StatusSample, VersionEvent)
    from smart.probes.models import CheckHourly
    from smart.probes.results import Result
    from smart.probes.store import Recorder, rebuild_daily

    T0 = t0
    rec = Recorder()
    for name, inst in world["inst"].items():
        results = []
        for minute in range(0, 120, 5):
            at = T0 + timedelta(minutes=minute)
            maint = 30 <= minute < 45
            results += [
                Result(check="http200", ok=not maint, at=at, dealer_id=inst.dealer_id, installation_id=inst.id,
                       state="maintenance" if maint else "ok", code=503 if maint else 200),
                Result(check="tcp", ok=minute != 60, at=at, dealer_id=inst.dealer_id, installation_id=inst.id,
                       state="ok"),
            ]
        rec.record(results)
        for h in range(3):
            Snapshot.objects.create(installation=inst, report_time=T0 + h * H, month=T0.date())
            StatusSample.objects.create(installation=inst, observed_at=T0 + h * H, received_at=T0 + h * H, up=1,
                                        seats_used=h)
        DiskFree.objects.create(installation=inst, observed_at=T0 + H, path="/data", free_bytes=3 * 1024 ** 3)
        DbErrorEvent.objects.create(installation=inst, fingerprint="f", volume="v", message="Invalid protect string",
                                    first_seen=T0, last_seen=T0 + 2 * H)
        VersionEvent.objects.create(installation=inst, component="server", version="6.4.5.1", first_seen=T0,
                                    last_seen=T0 + 2 * H)
        InstallationState.objects.create(installation=inst, version="6.4.5.1", sysinfo_version="2.0.6.15",
                                         status_observed_at=T0 + 2 * H, status_values={"up": 1})
        SessionEvent.objects.create(installation=inst, login=f"user-{name}", started_at=T0, ip="10.0.0.1",
                                    first_seen=T0, last_seen=T0 + 2 * H)
    for name, access in world["online"].items():
        CheckHourly.objects.bulk_create(
            CheckHourly(target_key=f"o{access.pk}:billing", online_access=access, check_type="billing",
                        hour=T0 + h * H, total=1, ok=1) for h in range(3))
    rebuild_daily()
    return world




@pytest.fixture(autouse=True)
def english():
    """Series names and titles in English in the query tests (pages choose their language per request)."""
    from django.utils import translation

    with translation.override("en"):
        yield
