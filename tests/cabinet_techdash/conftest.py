"""A dealer with two managers' clients, a head, an admin, a technician, an operator, and a second dealer
whose installation nobody of the first may see."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from smart.cabinet.dashboards import Ctx
from smart.cabinet.timerange import TimeRange

UTC = timezone.utc
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
