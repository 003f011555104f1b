"""kAssist analytics (C §5), Active Directory statistics (C §2) and Disk space (A §6)."""
from datetime import date, datetime

from smart.metrics.models import DiskFree

from .data import MSK, kassist, month_row, user, utc
from .test_managers import by_name

END = datetime(2026, 11, 20, 15, tzinfo=MSK)


def test_kassist_per_day_and_over_the_interval(world, facts, make_ctx, panel):
    zavod, bank = world.a.installations["zavod-a"], world.a.installations["bank-a"]
    kassist(zavod, date(2026, 11, 3), 5, 1, 7, 2)
    kassist(zavod, date(2026, 11, 4), 3, 0, 3, 1)
    kassist(bank, date(2026, 11, 4), 10, 2, 12, 6)
    kassist(bank, date(2026, 10, 1), 99, 9, 99, 9)  # before the range
    ctx = make_ctx(world.a.dealer_admin)
    unique = by_name(panel("kassist", "unique-day", ctx))
    assert unique == {"Завод-A-Звезда": [(datetime(2026, 11, 3, tzinfo=MSK), 5), (datetime(2026, 11, 4, tzinfo=MSK), 3)],
                      "Банк-A-Рассвет": [(datetime(2026, 11, 4, tzinfo=MSK), 10)]}
    assert by_name(panel("kassist", "unmatched-day", ctx))["Банк-A-Рассвет"] == [(datetime(2026, 11, 4, tzinfo=MSK), 2)]
    rows = panel("kassist", "unique-sum", ctx)["rows"]
    assert rows == [{"client": "Банк-A-Рассвет", "sum": 10}, {"client": "Завод-A-Звезда", "sum": 8}]
    assert panel("kassist", "active-sum", ctx)["rows"] == [{"client": "Банк-A-Рассвет", "sum": 6},
                                                           {"client": "Завод-A-Звезда", "sum": 3}]



def test_kassist_per_day_draws_the_clients_with_the_largest_day_not_the_largest_total(world, facts, make_ctx, panel,
                                                                                        monkeypatch):
    from smart.cabinet.dashboards import kassist as dashboard

    zavod, bank = world.a.installations["zavod-a"], world.a.installations["bank-a"]
    kassist(zavod, date(2026, 11, 3), 30, 0, 30, 0)  # one big day: peak 30, total 30
    for d in range(5, 15):
        kassist(bank, date(2026, 11, d), 5, 0, 5, 0)  # ten small days: peak 5, total 50
    monkeypatch.setattr(dashboard, "MAX_SERIES", 1)
    data = panel("kassist", "unique-day", make_ctx(world.a.dealer_admin))
    assert by_name(data) == {"Завод-A-Звезда": [(datetime(2026, 11, 3, tzinfo=MSK), 30)]}
    assert "1" in data["notice"] and "2" in data["notice"]
    monkeypatch.setattr(dashboard, "MAX_SERIES", 2)
    both = by_name(panel("kassist", "unique-day", make_ctx(world.a.dealer_admin)))
    assert both["Банк-A-Рассвет"] == [(datetime(2026, 11, d, tzinfo=MSK), 5) for d in range(5, 15)]
    assert "notice" not in panel("kassist", "unique-day", make_ctx(world.a.dealer_admin))


def test_ad_groups(world, facts, make_ctx, panel):
    inst = world.a.installations["zavod-a"]
    user(inst, "law2", domain="LAW")
    month_row(inst, "law2", date(2026, 11, 1), utc(2026, 11, 15), prints=10, documents_opened=1)
    ctx = make_ctx(world.a.dealer_admin, "2026-10-01", "2026-11-20T15:00")
    printed = by_name(panel("ad-stats", "printed", ctx))
    # LAW: ivanov (Oct 1 print; Nov 3) + law2 (Nov 10), from the group's last change to the month's end;
    # no group: petrov (1 print in November)
    assert printed["LAW"] == [(utc(2026, 10, 30, 9), 1), (datetime(2026, 11, 1, tzinfo=MSK), 1),
                              (utc(2026, 11, 19, 9), None), (utc(2026, 11, 19, 9), 13), (END, 13)]
    assert printed["НеОпределён"] == [(utc(2026, 11, 12, 9), 1), (END, 1)]
    activity = by_name(panel("ad-stats", "activity", make_ctx(world.a.dealer_admin, domain="LAW")))
    assert activity == {"LAW": [(utc(2026, 11, 19, 9), 54 + 11), (END, 54 + 11)]}
    assert "НеОпределён" in panel("ad-stats", "how-to", ctx)["html"]


def test_disk_space(world, facts, make_ctx, panel):
    inst = world.a.installations["zavod-a"]
    gb = 10 ** 9
    for at, root, data in [(utc(2026, 11, 19, 10), 12 * gb, 300 * gb), (utc(2026, 11, 20, 10), 8 * gb, 290 * gb)]:
        DiskFree.objects.create(installation=inst, observed_at=at, path="/", free_bytes=root, total_bytes=50 * gb)
        DiskFree.objects.create(installation=inst, observed_at=at, path="/data", free_bytes=data, total_bytes=None)
    ctx = make_ctx(world.a.technician, "2026-11-19", "2026-11-20T15:00")
    low = panel("disk-space", "low", ctx)["rows"]
    assert [(r["path"], r["free"], r["total"], r["free_pct"], r["at"]) for r in low] == [
        ("/", 8.0, 50.0, 16.0, utc(2026, 11, 20, 10))]
    assert [r["path"] for r in panel("disk-space", "all", ctx)["rows"]] == ["/", "/data"]
    free = by_name(panel("disk-space", "free", ctx))
    assert free["Завод-A-Звезда: zavod-a.host-a.ru:443 /"] == [(utc(2026, 11, 19, 10), 12.0), (utc(2026, 11, 20, 10), 8.0)]
    # a week: the hour's minimum
    week = by_name(panel("disk-space", "free", make_ctx(world.a.technician, "2026-11-14", "2026-11-20T15:00")))
    assert week["Завод-A-Звезда: zavod-a.host-a.ru:443 /data"] == [(datetime(2026, 11, 19, 13, tzinfo=MSK), 300.0),
                                                                   (datetime(2026, 11, 20, 13, tzinfo=MSK), 290.0)]
