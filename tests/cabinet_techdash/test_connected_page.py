"""B §F connected users: the table ordered, cut and counted in the database equals the same table computed in
Python from the snapshots and sessions, whatever the names' alphabets and cases, the batches and the cut."""
from collections import defaultdict
from datetime import timedelta

import pytest

from smart.cabinet import queries_tech as qt
from smart.cabinet.dashboards import REGISTRY
from smart.metrics.models import SessionEvent, Snapshot
from smart.metrics.queries import Range
from smart.registry.models import Client, Installation

from .conftest import T0, make_ctx

H = timedelta(hours=1)
# Names whose order differs between code points and a language's collation: case, Cyrillic, Ё, accents.
CLIENTS = ["zebra", "Zebra", "Ёлка", "ёж", "Елена", "Ärger", "apple", "_x"]
LOGINS = ["Иван", "ivan", "Ivan", "ёлкин", "Ann", "ann"]


@pytest.fixture
def fleet(world):
    """World's installations plus eight clients of two installations each, reporting at different hours (so
    the newest reports fall into several time groups), each listing sessions of a few logins and IPs."""
    dealer = world["dealer"]
    insts = [world["inst"]["zavod"], world["inst"]["bank"], world["inst"]["far"]]
    for n, name in enumerate(CLIENTS):
        client = Client.objects.create(dealer=dealer, display_name=name, slug=f"C{n}")
        for host in (f"a{n}", f"B{n}"):  # "B1" before "a1" by code point, after it in a language
            insts.append(Installation.objects.create(dealer=dealer, client=client, kind="pushed", name=host))
    for k, inst in enumerate(insts):
        newest = 1 + k % 5  # hours 1..5
        for h in range(newest + 1):
            Snapshot.objects.create(installation=inst, report_time=T0 + h * H, month=T0.date())
        for j, login in enumerate(LOGINS[: 2 + k % 5]):
            for ip in range(1 + (k + j) % 3):
                SessionEvent.objects.create(
                    installation=inst, login=login, started_at=T0 + timedelta(minutes=j + ip), ip=f"10.{k}.{j}.{ip}",
                    browser="Firefox", domain=("CORP", "GUEST")[(j + ip) % 2], first_seen=T0,
                    last_seen=T0 + (newest if (k + ip) % 4 else newest - 1) * H)  # some end before the report
    return insts


def expected(installations, end, domains=None):
    """The listed sessions in the table's order, the IPs per login and the count, from the objects in Python."""
    listed = []
    for inst in installations:
        times = [s.report_time for s in Snapshot.objects.filter(installation=inst, report_time__gte=T0,
                                                                report_time__lte=end)]
        if not times:
            continue
        t = max(times)
        for s in SessionEvent.objects.filter(installation=inst):
            if s.first_seen <= t <= s.last_seen and (not domains or s.domain in domains):
                listed.append((inst.client.display_name, inst.name, s.login, s.ip, s.started_at, s.domain, inst.pk, t))
    listed.sort(key=lambda r: r[:4])  # Python's str order: by code point
    ips = defaultdict(set)
    for r in listed:
        ips[(r[6], r[2])].add(r[3])
    return listed, {k: len(v) for k, v in ips.items()}


def _key(row):
    return row["installation__client__display_name"], row["installation__name"], row["login"], row["ip"]


@pytest.mark.parametrize("limit,batch,domains", [(1000, 200, None), (1000, 2, None), (7, 2, None), (13, 1, None),
                                                 (1000, 2, ["GUEST"]), (5, 3, ["CORP"])])
def test_page_equals_the_table_computed_in_python(world, fleet, limit, batch, domains):
    end = T0 + 6 * H
    mine = Installation.objects.filter(dealer=world["dealer"])
    rows, ips, total = qt.connected_page(mine.values("pk"), Range(T0, end), domains, limit, batch)
    listed, all_ips = expected(mine, end, domains)
    assert total == len(listed) and len(listed) > 13
    assert [_key(r) for r in rows] == [r[:4] for r in listed[:limit]]
    assert sorted((*_key(r), r["started_at"], r["domain"], r["installation_id"], r["report_time"]) for r in rows) == \
        sorted(listed[:limit])  # no tie in the first four keys here: the whole rows match too
    assert {k: ips[k] for k in {(r["installation_id"], r["login"]) for r in rows}} == \
        {k: all_ips[k] for k in {(r[6], r[2]) for r in listed[:limit]}}
    assert any(n > 1 for n in ips.values())


def test_the_panel_shows_the_first_rows_and_counts_them_all(world, fleet, monkeypatch):
    from smart.cabinet.dashboards import connected_users

    monkeypatch.setattr(connected_users, "MAX_ROWS", 9)
    end = T0 + 6 * H
    data = REGISTRY["connected-users"].panel("sessions").query(make_ctx(world["users"]["admin"], T0, end))
    listed, ips = expected(Installation.objects.filter(dealer=world["dealer"]), end)
    assert [(r["client"], r["host"], r["login"], r["ip"], r["ips"]) for r in data["rows"]] == [
        (*r[:4], ips[(r[6], r[2])]) for r in listed[:9]]
    assert all(("_cell_class" in r) == (r["ips"] > 1) for r in data["rows"])
    assert str(len(listed)) in data["notice"]
