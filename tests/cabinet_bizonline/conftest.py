"""A small dealer for the bizonline dashboards: an admin, two managers, a technician, three clients (one per
manager plus one shared zone case), online accesses with hourly billing readings that burn at known rates."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

UTC = timezone.utc
MSK = ZoneInfo("Europe/Moscow")
YEKT = ZoneInfo("Asia/Yekaterinburg")


@dataclass
class World:
    dealer: object
    admin: object
    m1: object
    m2: object
    tech: object
    c1: object
    c2: object
    a1: object
    a2: object
    a3: object
    readings: list = field(default_factory=list)  # (access_id, at, {counter: (left, limit)})


def make_user(dealer, username, role, full_name=""):
    from smart.registry.models import User

    return User.objects.create_user(username, password="pw-" + username, role=role, dealer=dealer,
                                    full_name=full_name)


def add_reading(world, access, at, **values):
    """values: documents=(left, limit), search=(left, limit), …"""
    from smart.probes.models import OnlineCounters

    kw = {}
    for counter in ("documents", "search", "print", "export"):
        left, limit = values.get(counter, (None, None))
        kw[f"{counter}_left"], kw[f"{counter}_limit"] = left, limit
    OnlineCounters.objects.create(online_access=access, at=at, **kw)
    world.readings.append((access.pk, at, {c: values.get(c, (None, None)) for c in ("documents", "search", "print", "export")}))


def burn(limit, per_hour, hours):
    return max(0, limit - int(per_hour * hours))


@pytest.fixture
def world(dealer):
    from smart.registry.models import Client, Installation, OnlineAccess, Role

    admin = make_user(dealer, "boss", Role.DEALER_ADMIN, "Начальник")
    m1 = make_user(dealer, "ivanova", Role.MANAGER, "Иванова Анна")
    m2 = make_user(dealer, "petrov", Role.MANAGER, "Петров Сергей")
    tech = make_user(dealer, "tech", Role.TECHNICIAN)
    c1 = Client.objects.create(dealer=dealer, display_name="Ромашка", slug="romashka")
    c1.managers.add(m1)
    c2 = Client.objects.create(dealer=dealer, display_name="Уралсталь", slug="uralstal")
    c2.managers.add(m2)
    # c2's zone is Yekaterinburg (its first installation's): its month starts two hours before Moscow's reset
    Installation.objects.create(dealer=dealer, client=c2, kind="pushed", name="URALSTAL", time_zone="Asia/Yekaterinburg")

    def access(client, login, manager, folder="docs1"):
        return OnlineAccess.objects.create(dealer=dealer, client=client, firm=client.display_name, login=login,
                                           password="secret", host="online.kodeks.ru", folder=folder, manager=manager)

    w = World(dealer, admin, m1, m2, tech, c1, c2, access(c1, "rom1", m1), access(c1, "rom2", m1, "docs2"),
              access(c2, "ural", m2))
    return w


@pytest.fixture
def november(world):
    """Hourly readings from 2026-11-01 00:00 MSK to 2026-11-11 00:00 MSK (exclusive) for the three accesses."""
    start = datetime(2026, 11, 1, tzinfo=MSK)
    plans = {world.a1: (300, 0.5, 3000, 2.0), world.a2: (400, 0.1, 4000, 0.02), world.a3: (350, 1.2, 5000, 5.0)}
    for h in range(240):
        at = (start + timedelta(hours=h)).astimezone(UTC)
        for acc, (dl, drate, sl, srate) in plans.items():
            add_reading(world, acc, at, documents=(burn(dl, drate, h), dl), search=(burn(sl, srate, h), sl),
                        print=(3000 - h // 10, 3000), export=(3500 - h // 20, 3500))
    return world


@pytest.fixture(autouse=True)
def _english():
    """Panel texts compared in English (the UI default is Russian; its catalogue is tested separately)."""
    from django.utils import translation

    with translation.override("en"):
        yield
