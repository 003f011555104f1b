"""A §2 Kodeks server metrics: every panel against values worked out by hand."""
from datetime import timedelta

from smart.cabinet.dashboards import REGISTRY
from smart.metrics.models import DiskFree
from smart.probes.results import Result
from smart.probes.store import Recorder

from .conftest import T0, by_name, make_ctx

GB = 1024 ** 3


def _r(inst, check, ok, minute, state="ok", code=0):
    return Result(check=check, ok=ok, at=T0 + timedelta(minutes=minute), dealer_id=inst.dealer_id,
                  installation_id=inst.id, state=state, code=code)


def _panel(key):
    return REGISTRY["server-metrics"].panel(key).query


def test_abnormal_states_carry_the_http_code_and_zero_when_gone(world):
    zavod = world["inst"]["zavod"]
    rec = Recorder()
    http = [("ok", 200), ("maintenance", 503), ("maintenance", 503), ("ok", 200), ("server_error", 500),
            ("refused", 0), ("ok", 200)]
    for minute, (state, code) in enumerate(http):
        rec.record([_r(zavod, "http200", code == 200, minute, state, code)])
    rec.record([_r(zavod, "key", True, 0)])
    rec.record([_r(zavod, "key", False, 10, "key_not_found", 200)])
    rec.record([_r(zavod, "key", True, 11)])
    ctx = make_ctx(world["users"]["admin"], T0, T0 + timedelta(hours=1))
    data = _panel("abnormal")(ctx)
    series = by_name(data)
    host = "zavod.example:80"
    # one-minute buckets over a one-hour range; every stored sample of the check is a point
    assert series[f"Maintenance mode {host}"]["y"] == [0, 503, 503, 0, 0, 0, 0]
    assert series[f"Errors on the server {host}"]["y"] == [0, 0, 0, 0, 500, 0, 0]
    assert series[f"Server not working {host}"]["y"] == [0, 0, 0, 0, 0, 1, 0]  # no HTTP answer: 1
    assert series[f"Key not found {host}"]["y"] == [0, 200, 0]
    assert series[f"Key not found {host}"]["x"][1] == (T0 + timedelta(minutes=10)).isoformat()
    assert len(series) == 4  # states never seen have no series
    assert all(s["mode"] == "markers" for s in data["series"])


def test_abnormal_states_are_bucketed_for_long_ranges(world):
    zavod = world["inst"]["zavod"]
    runs = []  # one batch, in time order: the recorder treats it run by run
    # maintenance 04:00-04:59 on two days, checked every 10 minutes; healthy in between
    for day in range(2):
        for minute in range(0, 24 * 60, 10):
            maint = 4 * 60 <= minute < 5 * 60
            runs.append(_r(zavod, "http200", not maint, day * 1440 + minute, "maintenance" if maint else "ok",
                           503 if maint else 200))
    Recorder().record(runs)
    ctx = make_ctx(world["users"]["admin"], T0, T0 + timedelta(days=7))  # 7 days: hourly buckets
    maint = by_name(_panel("abnormal")(ctx))["Maintenance mode zavod.example:80"]
    pairs = list(zip(maint["x"], maint["y"]))
    assert len(pairs) == 48  # every hour of the two days has samples
    assert [y for _, y in pairs].count(503) == 2  # 04:00 each day
    assert ((T0 + timedelta(hours=28)).isoformat(), 503) in pairs
    ctx = make_ctx(world["users"]["admin"], T0, T0 + timedelta(days=60))  # 60 days: daily buckets
    maint = by_name(_panel("abnormal")(ctx))["Maintenance mode zavod.example:80"]
    assert maint["y"] == [503, 503] and maint["x"][1] == (T0 + timedelta(days=1)).isoformat()


def test_low_space_lists_the_latest_reading_under_10_gb(world):
    zavod, bank = world["inst"]["zavod"], world["inst"]["bank"]
    rows = [
        (zavod, 1, "C:\\", 50 * GB),  # recovered later: not listed
        (zavod, 2, "C:\\", 12 * GB),
        (zavod, 1, "D:\\", 3 * GB),
        (zavod, 2, "D:\\", int(1.5 * GB)),  # the latest D: reading: listed, red
        (bank, 1, "/opt", 9 * GB),
        (bank, 30, "/opt", 1 * GB),  # after the range: the in-range reading counts
        (world["inst"]["far"], 1, "/", 1 * GB),  # another dealer's
    ]
    for inst, hour, path, free in rows:
        DiskFree.objects.create(installation=inst, observed_at=T0 + timedelta(hours=hour), path=path,
                                free_bytes=free, total_bytes=100 * GB)
    DiskFree.objects.create(installation=zavod, observed_at=T0 + timedelta(hours=1), path="E:\\", free_bytes=5 * GB,
                            total_bytes=None)
    ctx = make_ctx(world["users"]["admin"], T0, T0 + timedelta(hours=24))
    data = _panel("low-space")(ctx)
    got = {(r["host"], r["path"]): (r["free_gb"], r["free_pct"], r["_cell_class"]["free_gb"]) for r in data["rows"]}
    assert got == {
        ("zavod.example:80", "D:\\"): (1.5, 1.5, "bad"),
        ("zavod.example:80", "E:\\"): (5.0, None, "warn"),
        ("BANK", "/opt"): (9.0, 9.0, "warn"),
    }
    assert data["rows"][0]["path"] == "D:\\"  # the fullest first
    assert data["rows"][0]["_links"]["host"] == f"/installations/{zavod.pk}/"


def test_check_statuses_hourly_and_fine(world):
    zavod, bank = world["inst"]["zavod"], world["inst"]["bank"]
    runs = []  # one batch, in time order: the recorder treats it run by run
    for minute in range(0, 180):
        tcp_ok = not (70 <= minute < 75)  # a 5-minute outage in the second hour
        runs += [_r(zavod, "tcp", tcp_ok, minute, "ok" if tcp_ok else "refused"),
                 _r(zavod, "auth", True, minute), _r(bank, "key", minute < 170, minute)]
    Recorder().record(runs)
    admin = world["users"]["admin"]
    # a 30-day range: hourly values from the run counts; an hour with any failure reads 0
    ctx = make_ctx(admin, T0, T0 + timedelta(days=30))
    series = by_name(_panel("checks")(ctx))
    assert series["tcp zavod.example:80"]["y"] == [1, 0, 1]
    assert series["auth zavod.example:80"]["y"] == [1, 1, 1]
    assert series["key BANK"]["y"] == [1, 1, 0]
    assert [s["name"] for s in _panel("checks")(ctx)["series"]][0] == "key BANK"  # Last* ascending
    # a 3-hour range: 5-minute buckets from the samples, held between the healthy samples
    ctx = make_ctx(admin, T0, T0 + timedelta(hours=3))
    tcp = by_name(_panel("checks")(ctx))["tcp zavod.example:80"]
    pairs = dict(zip(tcp["x"], tcp["y"]))
    assert len(tcp["x"]) == 37  # 00:00 … 03:00, both ends
    assert pairs[(T0 + timedelta(minutes=70)).isoformat()] == 0
    assert pairs[(T0 + timedelta(minutes=65)).isoformat()] == 1
    assert pairs[(T0 + timedelta(minutes=75)).isoformat()] == 1
    # the checktype variable narrows the checks
    ctx = make_ctx(admin, T0, T0 + timedelta(hours=3), checktype="key")
    assert [s["name"] for s in _panel("checks")(ctx)["series"]] == ["key BANK"]


def test_check_statuses_cap_the_number_of_series(world, monkeypatch):
    from smart.cabinet import queries_tech

    zavod = world["inst"]["zavod"]
    rec = Recorder()
    for i, check in enumerate(["tcp", "http200", "auth", "key"]):
        rec.record([_r(zavod, check, check != "key", i)])
    monkeypatch.setattr(queries_tech, "MAX_SERIES", 2)
    monkeypatch.setattr(queries_tech.chosen_checks, "__defaults__", (None, 2))  # the default was bound at import
    data = _panel("checks")(make_ctx(world["users"]["admin"], T0, T0 + timedelta(hours=1)))
    assert len(data["series"]) == 2
    assert data["series"][0]["name"] == "key zavod.example:80"  # the failing check is kept
    assert "2 of 4" in data["notice"]
