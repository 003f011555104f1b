"""B §D versions, §E DB errors, §F connected users and C §4 SMART.Status against hand-made facts."""
import hashlib
from datetime import timedelta

from smart.cabinet.dashboards import REGISTRY
from smart.metrics.models import (DbErrorEvent, DiskFree, InstallationState, SessionEvent, Snapshot, StatusSample,
                                  VersionEvent)

from .conftest import T0, by_name, make_ctx

H = timedelta(hours=1)


def _q(slug, key):
    return REGISTRY[slug].panel(key).query


def _snapshots(inst, hours):
    for h in hours:
        Snapshot.objects.create(installation=inst, report_time=T0 + h * H, month=T0.date())


def test_versions_used_and_statistics(world):
    zavod, bank, far = world["inst"]["zavod"], world["inst"]["bank"], world["inst"]["far"]
    end = T0 + timedelta(days=40)
    VersionEvent.objects.create(installation=zavod, component="server", version="6.4.4.194 [patch 3]",
                                first_seen=T0, last_seen=T0 + timedelta(days=20))
    VersionEvent.objects.create(installation=zavod, component="server", version="6.4.5.127",
                                first_seen=T0 + timedelta(days=20), last_seen=end)
    VersionEvent.objects.create(installation=zavod, component="sysinfo", version="2.0.6.15", first_seen=T0,
                                last_seen=end)
    VersionEvent.objects.create(installation=bank, component="server", version="6.4.5.15", first_seen=T0,
                                last_seen=T0 + timedelta(days=5))  # not seen in the last 30 days
    VersionEvent.objects.create(installation=far, component="server", version="6.4.1.1", first_seen=T0, last_seen=end)
    ctx = make_ctx(world["users"]["admin"], end - H, end)
    rows = _q("versions", "used")(ctx)["rows"]
    # 6.4.4.194 was last seen on day 20, inside the 30 days up to day 40; numeric order, not text order
    assert [(r["client"], r["type"], r["version"]) for r in rows] == [
        ("Завод", "sysinfo", "2.0.6.15"), ("Завод", "ksrv", "6.4.4.194 [patch 3]"), ("Завод", "ksrv", "6.4.5.127")]
    assert rows[0]["address"] == "zavod.example:80" and rows[0]["manager"] == "ivanov"
    assert rows[0]["_links"]["client"] == f"/installations/{zavod.pk}/"
    InstallationState.objects.create(installation=zavod, version="6.4.5.127", arch="x64", patch="p2",
                                     sysinfo_version="2.0.6.15")
    InstallationState.objects.create(installation=bank, version="6.4.5.46", arch="x86_64", sysinfo_version="2.0.6.12")
    InstallationState.objects.create(installation=far, version="6.4.1.1", sysinfo_version="2.0.6.12")
    stats = _q("versions", "statistics")(ctx)["rows"]
    assert [(r["client"], r["server_version"], r["sysinfo_version"]) for r in stats] == [
        ("Банк", "6.4.5.46 (x86_64)", "2.0.6.12"), ("Завод", "6.4.5.127 (x64) [p2]", "2.0.6.15")]
    assert stats[0]["manager"] == "petrov" and stats[0]["address"] == "BANK"
    assert "<p>" in _q("versions", "information")(ctx)["html"]
    ctx = make_ctx(world["users"]["petrov"], end - H, end)
    assert [r["client"] for r in _q("versions", "statistics")(ctx)["rows"]] == ["Банк"]
    assert _q("versions", "used")(ctx)["rows"] == []


def test_db_errors_count_volumes_per_report(world):
    zavod, far = world["inst"]["zavod"], world["inst"]["far"]
    _snapshots(zavod, range(0, 10))
    _snapshots(far, range(0, 10))
    def err(inst, volume, message, first, last, code=None):
        DbErrorEvent.objects.create(installation=inst, fingerprint=hashlib.md5(f"{volume}{message}".encode()).hexdigest(), volume=volume, code=code,
                                    message=message, first_seen=T0 + first * H, last_seen=T0 + last * H)
    err(zavod, "vol1", "Invalid protect string", 2, 6)
    err(zavod, "vol2", "Invalid protect string", 4, 8)
    err(zavod, "vol3", "Том базы данных уже подключен", 0, 9)
    err(zavod, "vol4", "", 5, 5, code=2007)
    err(far, "v", "Invalid protect string", 0, 9)
    ctx = make_ctx(world["users"]["admin"], T0, T0 + 12 * H)
    data = _q("db-errors", "errors")(ctx)
    series = by_name(data)
    assert set(series) == {"zavod.example:80 Invalid protect string", "zavod.example:80 Том базы данных уже подключен",
                           "zavod.example:80 code 2007"}
    ips = series["zavod.example:80 Invalid protect string"]
    # reports at hours 2..8: vol1 listed 2–6, vol2 4–8
    assert ips["y"] == [1, 1, 2, 2, 2, 1, 1]
    assert ips["x"][0] == (T0 + 2 * H).isoformat()
    assert series["zavod.example:80 code 2007"]["y"] == [1]
    assert data["log"] is True
    assert all(s["mode"] == "markers" for s in data["series"])
    assert _q("db-errors", "errors")(make_ctx(world["users"]["petrov"], T0, T0 + 12 * H))["series"] == []


def test_connected_users_from_the_newest_report_in_range(world, monkeypatch):
    zavod, bank, far = world["inst"]["zavod"], world["inst"]["bank"], world["inst"]["far"]
    _snapshots(zavod, [1, 2, 3])
    _snapshots(bank, [1, 2])
    _snapshots(far, [3])
    def sess(inst, login, ip, first, last, domain="CORP", started=0):
        SessionEvent.objects.create(installation=inst, login=login, started_at=T0 + started * H + timedelta(minutes=5),
                                    ip=ip, browser="Firefox", domain=domain, first_seen=T0 + first * H,
                                    last_seen=T0 + last * H)
    sess(zavod, "anna", "10.0.0.1", 1, 3)
    sess(zavod, "anna", "10.0.0.2", 2, 3, started=1)
    sess(zavod, "boris", "10.0.0.3", 1, 2)  # gone by the report at 3:00
    sess(zavod, "vera", "10.0.0.4", 3, 3, domain="GUEST")
    sess(bank, "gleb", "10.1.0.1", 1, 2)
    sess(far, "x", "1.1.1.1", 3, 3)
    ctx = make_ctx(world["users"]["admin"], T0, T0 + 4 * H)
    rows = _q("connected-users", "sessions")(ctx)["rows"]
    assert [(r["host"], r["login"], r["ip"], r["ips"]) for r in rows] == [
        ("BANK", "gleb", "10.1.0.1", 1), ("zavod.example:80", "anna", "10.0.0.1", 2),
        ("zavod.example:80", "anna", "10.0.0.2", 2), ("zavod.example:80", "vera", "10.0.0.4", 1)]
    assert rows[1]["_cell_class"]["login"] == "warn" and "_cell_class" not in rows[0]
    assert rows[1]["report_time"] == T0 + 3 * H
    assert _q("connected-users", "count")(ctx)["value"] == 3
    # a range ending before 3:00: the report at 2:00 lists boris, not vera
    ctx = make_ctx(world["users"]["admin"], T0, T0 + 2 * H + timedelta(minutes=30), host=zavod.pk)
    assert {r["login"] for r in _q("connected-users", "sessions")(ctx)["rows"]} == {"anna", "boris"}
    ctx = make_ctx(world["users"]["admin"], T0, T0 + 4 * H, domain="GUEST")
    assert [r["login"] for r in _q("connected-users", "sessions")(ctx)["rows"]] == ["vera"]
    ctx = make_ctx(world["users"]["petrov"], T0, T0 + 4 * H)
    assert [r["login"] for r in _q("connected-users", "sessions")(ctx)["rows"]] == ["gleb"]
    # a fleet's worth of sessions: the table shows the first rows in its order and says how many there are
    from smart.cabinet.dashboards import connected_users
    monkeypatch.setattr(connected_users, "MAX_ROWS", 2)
    ctx = make_ctx(world["users"]["admin"], T0, T0 + 4 * H)
    data = _q("connected-users", "sessions")(ctx)
    assert [(r["host"], r["login"]) for r in data["rows"]] == [("BANK", "gleb"), ("zavod.example:80", "anna")]
    assert "2" in data["notice"] and "4" in data["notice"]
    assert _q("connected-users", "count")(ctx)["value"] == 3  # the count still counts every login


def test_smart_status_explorer(world):
    zavod, bank, far = world["inst"]["zavod"], world["inst"]["bank"], world["inst"]["far"]
    for q in range(16):  # 4 hours, every 15 minutes
        at = T0 + timedelta(minutes=15 * q)
        StatusSample.objects.create(installation=zavod, observed_at=at, received_at=at, up=0 if q == 5 else 1,
                                    seats_used=q)
        StatusSample.objects.create(installation=bank, observed_at=at, received_at=at, up=1, seats_used=2 * q)
        StatusSample.objects.create(installation=far, observed_at=at, received_at=at, up=0)
    for inst in (zavod, bank, far):  # the pipeline keeps the newest status time on the installation's state
        InstallationState.objects.create(installation=inst, status_observed_at=T0 + timedelta(minutes=225))
    admin = world["users"]["admin"]
    ctx = make_ctx(admin, T0, T0 + 4 * H)  # 15-minute points
    series = by_name(_q("smart-status", "series")(ctx))  # "up" by default
    assert set(series) == {"zavod.example:80", "BANK"}
    assert series["zavod.example:80"]["y"] == [1] * 5 + [0] + [1] * 10
    ctx = make_ctx(admin, T0, T0 + timedelta(days=30), series="seats_used")  # hourly points: the highest
    series = by_name(_q("smart-status", "series")(ctx))
    assert series["zavod.example:80"]["y"] == [3, 7, 11, 15] and series["BANK"]["y"] == [6, 14, 22, 30]
    ctx = make_ctx(admin, T0, T0 + timedelta(days=60), series=["up", "seats_used"])
    assert {"up BANK", "seats_used BANK"} <= set(by_name(_q("smart-status", "series")(ctx)))
    ctx = make_ctx(admin, T0, T0 + timedelta(days=30), series="up")  # hourly points: the lowest
    assert by_name(_q("smart-status", "series")(ctx))["zavod.example:80"]["y"] == [1, 0, 1, 1]
    ctx = make_ctx(admin, T0, T0 + timedelta(days=60), series="up")  # daily points
    assert by_name(_q("smart-status", "series")(ctx))["zavod.example:80"]["y"] == [0]
    for h, free in ((0, 20), (1, 8), (2, 9)):
        DiskFree.objects.create(installation=zavod, observed_at=T0 + h * H, path="C:\\", free_bytes=free * 1024 ** 3)
    disks = by_name(_q("smart-status", "disks")(make_ctx(admin, T0, T0 + 4 * H)))
    assert disks["zavod.example:80 C:\\"]["y"] == [20.0, 8.0, 9.0]
    InstallationState.objects.filter(installation=zavod).update(
        status_observed_at=T0 + 4 * H, status_received_at=T0 + 4 * H,
        status_values={"up": 0, "seats_used": 3, "version": "6.4.5.127"})
    InstallationState.objects.filter(installation=far).update(status_observed_at=T0, status_values={"up": 1})
    InstallationState.objects.filter(installation=bank).update(status_observed_at=None)
    rows = _q("smart-status", "latest")(make_ctx(admin, T0, T0 + 4 * H))["rows"]
    assert [(r["host"], r["up"], r["seats_used"], r["samples"], r["version"]) for r in rows] == [
        ("zavod.example:80", 0, 3, 16, "6.4.5.127")]
    assert rows[0]["_cell_class"] == {"up": "bad"}
    InstallationState.objects.filter(installation=bank).update(status_observed_at=T0 + 4 * H)
    ctx = make_ctx(world["users"]["petrov"], T0, T0 + 4 * H)
    assert set(by_name(_q("smart-status", "series")(ctx))) == {"BANK"}
    assert _q("smart-status", "disks")(ctx)["series"] == []
    assert [r["host"] for r in _q("smart-status", "latest")(ctx)["rows"]] == ["BANK"]
