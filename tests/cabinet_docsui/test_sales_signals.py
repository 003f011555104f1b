"""Sales signals (R-C12, R-C13, activity swings) against hand-made counters and rollups; expected rows are
written out by hand from the data below, not recomputed with the dashboard's queries."""
from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from smart.cabinet.context import user_zone
from smart.metrics.models import DailyRollup
from smart.probes.models import OnlineCounters

pytestmark = pytest.mark.django_db


def month_back(d: date, k: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - k, 12)
    return date(y, m + 1, 1)


def panel(user, key):
    c = Client()
    c.force_login(user)
    r = c.get(f"/d/sales-signals/panel/{key}.json")
    assert r.status_code == 200
    return r.json()


def reading(access, at, left, limit=500):
    OnlineCounters.objects.create(online_access=access, at=at, documents_left=left, documents_limit=limit)


@pytest.fixture
def leads(world):
    a = world.a
    admin = a.dealer_admin
    tz = user_zone(admin)
    now = timezone.now()
    this = now.astimezone(tz).date().replace(day=1)
    m1, m2, m3 = (month_back(this, k) for k in (3, 2, 1))
    zavod, bank, shkola = (a.accesses[c.slug] for c in a.clients)
    at = lambda m, day: datetime(m.year, m.month, day, 12, tzinfo=tz)  # noqa: E731
    # zavod: 0 left on the 10th of m1 and the 20th of m3 (2 months); on the 26th of m2: too late to count
    reading(zavod, at(m1, 10), 0)
    reading(zavod, at(m2, 26), 0)
    reading(zavod, at(m3, 20), 0)
    # bank: 0 only once (m2), and 5 left (not 0) in m3
    reading(bank, at(m2, 3), 0)
    reading(bank, at(m3, 3), 5)
    # shkola: 0 in all three months, before the 25th
    for m in (m1, m2, m3):
        reading(shkola, at(m, 24), 0)
    # the last 7 days: zavod idle (100 left throughout), bank used (100 → 90), shkola read only for 2 days
    for hours in (7 * 24 - 2, 100, 1):
        reading(zavod, now - timedelta(hours=hours), 100)
    reading(bank, now - timedelta(hours=7 * 24 - 2), 100)
    reading(bank, now - timedelta(hours=1), 90)
    reading(shkola, now - timedelta(hours=47), 30)
    reading(shkola, now - timedelta(hours=1), 30)
    # activity: zavod 100 → 150 (+50 %), bank 100 → 120 (+20 %: not a swing), shkola 0 → 10 (∞)
    insts = [a.installations[c.slug] for c in a.clients]
    for inst, (prev, cur) in zip(insts, ((100, 150), (100, 120), (0, 10))):
        DailyRollup.objects.create(installation=inst, day=m2.replace(day=5), reports=24, documents_opened=prev)
        DailyRollup.objects.create(installation=inst, day=m3.replace(day=5), reports=24, documents_opened=cur // 2,
                                   saves=cur - cur // 2)
    return world, (m1, m2, m3)


def test_repeated_exhaustion(leads):
    world, (m1, _m2, m3) = leads
    data = panel(world.a.dealer_admin, "exhaustion")
    got = [(r["access"], r["months"]) for r in data["rows"]]
    assert got == [("login-shkola-a", 3), ("login-zavod-a", 2)]
    assert data["rows"][1]["which"] == f"{m1:%m.%Y}, {m3:%m.%Y}"


def test_idle_accesses(leads):
    world, _months = leads
    data = panel(world.a.dealer_admin, "idle")
    assert [(r["access"], r["left"]) for r in data["rows"]] == [("login-zavod-a", 100)]


def test_activity_swings(leads):
    world, _months = leads
    data = panel(world.a.dealer_admin, "swings")
    rows = [(r["client"], r["previous"], r["current"], r["change"]) for r in data["rows"]]
    assert rows == [("Школа-A-Ничья", 0, 10, "∞"), ("Завод-A-Звезда", 100, 150, 50.0)]


def test_scoped_and_business_only(leads):
    world, _months = leads
    # the manager sees their own client only
    assert [r["access"] for r in panel(world.a.manager, "exhaustion")["rows"]] == ["login-zavod-a"]
    assert panel(world.b.dealer_admin, "exhaustion")["rows"] == []
    c = Client()
    c.force_login(world.a.technician)
    assert c.get("/d/sales-signals/panel/exhaustion.json").status_code in (403, 404)
