"""C §6 and §7: rolling 30-day availability from the hourly run counts, worked out by hand."""
from datetime import timedelta

from smart.cabinet.dashboards import REGISTRY
from smart.probes.models import CheckHourly
from smart.probes.store import rebuild_daily

from .conftest import T0, by_name, make_ctx

DAY = timedelta(days=1)


def _hours(target, check, days, failing=(), runs=60, online=False):
    """`days` of hourly rows with `runs` runs each; `failing` maps an hour offset to its failed runs."""
    rows = []
    for h in range(days * 24):
        bad = dict(failing).get(h, 0)
        key = f"{'o' if online else 'i'}{target.pk}:{check}"
        rows.append(CheckHourly(target_key=key, check_type=check, hour=T0 + timedelta(hours=h), total=runs,
                                ok=runs - bad, **({"online_access": target} if online else {"installation": target})))
    CheckHourly.objects.bulk_create(rows)
    rebuild_daily()  # rows written straight into the hourly table


def _q(slug, key):
    return REGISTRY[slug].panel(key).query


def test_installation_interface_and_port(world):
    zavod, bank, far = world["inst"]["zavod"], world["inst"]["bank"], world["inst"]["far"]
    outage = 35 * 24 + 10  # day 35, 10:00: all 60 runs failed
    _hours(zavod, "http200", 50, failing={outage: 60, outage + 1: 30})
    _hours(bank, "http200", 50)
    _hours(far, "http200", 50, failing={h: 60 for h in range(0, 1200)})
    _hours(zavod, "tcp", 50, failing={outage: 6})
    start, end = T0 + 40 * DAY, T0 + 45 * DAY
    ctx = make_ctx(world["users"]["admin"], start, end)
    data = _q("availability", "interface")(ctx)
    series = by_name(data)
    assert set(series) == {"zavod.example:80", "BANK"}  # never another dealer's installation
    z = dict(zip(series["zavod.example:80"]["x"], series["zavod.example:80"]["y"]))
    window_runs = (30 * 24 + 1) * 60  # hours t-30d … t, both ends: 721 hours of 60 runs
    assert z[start.isoformat()] == round(100 * (window_runs - 90) / window_runs, 2) == 99.79
    # day 35 10:00 + 30 days = day 65: still in at day 45 (the end of the range)
    assert z[end.isoformat()] == 99.79
    assert len(series["zavod.example:80"]["x"]) == 5 * 24 + 1  # hourly points
    assert set(series["BANK"]["y"]) == {100.0}
    assert [s["name"] for s in data["series"]] == ["BANK", "zavod.example:80"]  # Last* descending
    assert data["unit"] == "%" and (data["bands"][0]["from"], data["bands"][0]["to"]) == (95, 99)
    port = by_name(_q("availability", "port")(ctx))
    assert set(port) == {"zavod.example:80"}
    assert port["zavod.example:80"]["y"][0] == round(100 * (window_runs - 6) / window_runs, 2) == 99.99
    # before the outage the window is clean; the point 30 days after it sees it leave the window
    ctx = make_ctx(world["users"]["admin"], T0 + 35 * DAY, T0 + 35 * DAY + timedelta(hours=12))
    z = by_name(_q("availability", "interface")(ctx))["zavod.example:80"]
    assert z["y"][9] == 100.0 and z["y"][10] == round(100 * (window_runs - 60) / window_runs, 2)
    # 30 days later the outage leaves the window (the data stop at day 50: 350 hours of runs remain)
    ctx = make_ctx(world["users"]["admin"], T0 + 65 * DAY, T0 + 65 * DAY + timedelta(hours=12))
    z = by_name(_q("availability", "interface")(ctx))["zavod.example:80"]
    assert z["y"][10] == round(100 * (350 * 60 - 90) / (350 * 60), 2)
    assert z["y"][11] == round(100 * (349 * 60 - 30) / (349 * 60), 2)
    assert z["y"][12] == 100.0
    ctx = make_ctx(world["users"]["admin"], T0 + 81 * DAY, T0 + 82 * DAY)
    assert by_name(_q("availability", "interface")(ctx)) == {}  # no runs in the last 30 days → no line


def test_manager_sees_only_their_installations(world):
    zavod, bank = world["inst"]["zavod"], world["inst"]["bank"]
    _hours(zavod, "http200", 2)
    _hours(bank, "http200", 2, failing={5: 1})
    ctx = make_ctx(world["users"]["petrov"], T0, T0 + DAY)
    assert set(by_name(_q("availability", "interface")(ctx))) == {"BANK"}
    ctx = make_ctx(world["users"]["admin"], T0, T0 + DAY, client=world["inst"]["zavod"].client_id)
    assert set(by_name(_q("availability", "interface")(ctx))) == {"zavod.example:80"}
    ctx = make_ctx(world["users"]["admin"], T0, T0 + DAY, manager=world["users"]["petrov"].pk)
    assert set(by_name(_q("availability", "interface")(ctx))) == {"BANK"}


def test_online_by_access_and_by_server(world):
    o = world["online"]
    _hours(o["zavod"], "billing", 3, runs=1, online=True)
    _hours(o["bank"], "billing", 3, failing={h: 1 for h in (10, 20)}, runs=1, online=True)
    _hours(o["bank2"], "billing", 3, failing={h: 1 for h in range(72)}, runs=1, online=True)
    _hours(o["far"], "billing", 3, failing={h: 1 for h in range(72)}, runs=1, online=True)
    end = T0 + timedelta(hours=71)
    admin = world["users"]["admin"]
    ctx = make_ctx(admin, end - DAY, end)
    access = by_name(_q("availability-online", "client-billing")(ctx))
    assert set(access) == {"Завод (z1@buh1.kodeks.ru)", "Банк (b1@buh1.kodeks.ru)", "Банк (b2@lab4.kodeks.ru)"}
    assert access["Банк (b1@buh1.kodeks.ru)"]["y"][-1] == round(100 * 70 / 72, 2)
    assert access["Банк (b2@lab4.kodeks.ru)"]["y"][-1] == 0.0
    data = _q("availability-online", "by-server")(ctx)
    server = by_name(data)
    # buh1 joins the dealer's two accesses there (never the other dealer's): 144 runs, 2 failed
    assert server["buh1.kodeks.ru"]["y"][-1] == round(100 * 142 / 144, 2)
    assert [s["name"] for s in data["series"]] == ["lab4.kodeks.ru", "buh1.kodeks.ru"]  # worst first
    # the client filter narrows 7.1 only, the server filter 7.2 only
    ctx = make_ctx(admin, end - DAY, end, client=o["zavod"].client_id, server="lab4.kodeks.ru")
    assert set(by_name(_q("availability-online", "client-billing")(ctx))) == {"Завод (z1@buh1.kodeks.ru)"}
    assert set(by_name(_q("availability-online", "by-server")(ctx))) == {"lab4.kodeks.ru"}
    # a manager's servers hold only their clients' accesses
    ctx = make_ctx(world["users"]["ivanov"], end - DAY, end)
    assert by_name(_q("availability-online", "by-server")(ctx))["buh1.kodeks.ru"]["y"][-1] == 100.0
    assert set(by_name(_q("availability-online", "client-billing")(ctx))) == {"Завод (z1@buh1.kodeks.ru)"}
