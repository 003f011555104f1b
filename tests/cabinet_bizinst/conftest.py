import pytest

from cabinet.fixtures import *  # noqa: F401,F403
from smart.cabinet.dashboards import REGISTRY, Ctx
from smart.cabinet.timerange import TimeRange

from .data import MSK, NOW


@pytest.fixture
def make_ctx():
    """make_ctx(user, "2026-11-01", "2026-11-20T15:00", **vars): a panel context as the view builds it,
    at NOW, in Moscow time."""

    def make(user, frm="2026-11-01", to="2026-11-20T15:00", now=NOW, /, **variables):  # a variable may be "user"
        tr = TimeRange.from_query(frm, to, now, MSK)
        chosen = {k: [str(v) for v in (vs if isinstance(vs, (list, tuple)) else [vs])] for k, vs in variables.items()}
        return Ctx(user=user, now=now, tr=tr, tz=MSK, vars=chosen)

    return make


@pytest.fixture
def panel():
    """panel("managers", "activity", ctx) → the panel's JSON data."""

    def run(slug, key, ctx):
        return REGISTRY[slug].panel(key).query(ctx)

    return run


@pytest.fixture
def facts(world):
    """Usage of every installation of both dealers (installation k of a dealer: usage_for(k)), and, on
    dealer A's manager's installation ("zavod-a"), users, searches, refusals, sessions and OperUp files."""
    from datetime import date

    from .data import month_row, operup, refusal, search, session, usage_for, user, utc, write_usage

    usage = {}
    for ds in (world.a, world.b):
        for k, inst in enumerate(ds.installations.values()):
            usage[inst.pk] = usage_for(k, seats=10 + k)
            write_usage(inst, usage[inst.pk])
    inst = world.a.installations["zavod-a"]
    user(inst, "ivanov", domain="LAW", last_login=utc(2026, 11, 19, 8))
    user(inst, "petrov", card=False, last_login=utc(2026, 11, 2))
    user(inst, "sidorov", domain="LAW")
    user(inst, "novikov", first_seen=utc(2026, 11, 10))
    month_row(inst, "ivanov", date(2026, 10, 1), utc(2026, 10, 30, 9), db_requests=30, documents_opened=7, prints=1)
    month_row(inst, "ivanov", date(2026, 11, 1), utc(2026, 11, 19, 9), db_requests=5, documents_opened=40,
              services=2, prints=3, kassist_requests=4, documents_free=100)
    month_row(inst, "petrov", date(2026, 11, 1), utc(2026, 11, 12, 9), saves=6, prints=1)
    search(inst, utc(2026, 11, 5, 10), "ivanov", "гост 30245", 0)
    search(inst, utc(2026, 11, 6, 11), "petrov", "190-рп от 07.08.2022", 0, kind="attribute")
    search(inst, utc(2026, 11, 7, 12), "petrov", "трудовой кодекс", 12, source="kassist", catalogue="kodeks02")
    search(inst, utc(2026, 10, 25, 12), "petrov", "до интервала", 0)
    refusal(inst, utc(2026, 11, 5, 10), "petrov", count=2)
    refusal(inst, utc(2026, 11, 5, 20, 30), "petrov", code=4106, reason="")
    refusal(inst, utc(2026, 11, 5, 21, 30), "petrov")
    refusal(inst, utc(2026, 11, 5, 10, 15), "sidorov", code=3, reason="auth")
    session(inst, "ivanov", utc(2026, 11, 4))
    operup(inst, r"C:\Kodeks\OperUp\30725DNK.ud6", utc(2026, 11, 3), utc(2026, 11, 3, 9), utc(2026, 11, 6, 9))
    operup(inst, r"C:\Kodeks\OperUp\30725DNK.ud6", utc(2026, 11, 7), utc(2026, 11, 7, 9), utc(2026, 11, 7, 9))
    return usage


@pytest.fixture
def everywhere(world, facts):
    """The same kinds of facts on every installation of both dealers, each named after its own installation."""
    from datetime import date

    from smart.metrics.models import DiskFree

    from .data import kassist, month_row, operup, refusal, search, session, user, utc

    for ds in (world.a, world.b):
        for slug, inst in ds.installations.items():
            login = f"user-of-{slug}"
            user(inst, login, domain=f"DOM-{slug}", last_login=utc(2026, 11, 3))
            month_row(inst, login, date(2026, 11, 1), utc(2026, 11, 10), db_requests=9, prints=2, documents_opened=3,
                      kassist_requests=1)
            search(inst, utc(2026, 11, 9), login, f"query-of-{slug}", 0)
            refusal(inst, utc(2026, 11, 9), login)
            session(inst, login, utc(2026, 11, 3))
            operup(inst, f"C:\\OperUp\\{slug}.ud6", utc(2026, 11, 8), utc(2026, 11, 8, 9), utc(2026, 11, 9, 9))
            kassist(inst, date(2026, 11, 9), 3, 1, 4, 2)
            DiskFree.objects.create(installation=inst, observed_at=utc(2026, 11, 20, 9), path=f"/{slug}",
                                    free_bytes=10 ** 9, total_bytes=10 ** 10)
    return world
