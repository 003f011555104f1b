"""Charts with more series than MAX_SERIES draw the largest ones; panels that rank in the database must pick
the same series as ranking the whole data would."""
from datetime import timedelta

from smart.cabinet.dashboards._series import MAX_SERIES, top, top_keys

from .data import operup, utc
from .test_managers import ZAVOD


def test_top_keys_keeps_the_largest_peaks_in_order_of_ties():
    peaks = {k: k % 7 for k in range(MAX_SERIES + 5)}
    keys, notice = top_keys(peaks)
    assert len(keys) == MAX_SERIES and str(MAX_SERIES + 5) in notice
    assert min(peaks[k] for k in keys) >= max(peaks[k] for k in peaks if k not in keys)
    assert keys[:2] == [6, 13]  # ties keep the given order
    assert top_keys({1: 5, 2: None}) == ([1, 2], None)


def test_top_agrees_with_top_keys():
    named = {f"s{k}": [(0, k % 5), (1, None), (2, k % 11)] for k in range(MAX_SERIES + 3)}
    kept, notice = top(named)
    keys, notice2 = top_keys({k: max(v for _t, v in pts if v is not None) for k, pts in named.items()})
    assert list(kept) == keys and notice == notice2


def test_operup_age_draws_the_oldest_files_when_there_are_too_many(world, make_ctx, panel):
    inst = world.a.installations["zavod-a"]
    for k in range(MAX_SERIES + 2):  # file k was last modified k hours before its one report on Nov 10, 09:00
        operup(inst, f"C:\\OperUp\\{k:03d}.ud6", utc(2026, 11, 10, 9) - timedelta(hours=k),
               utc(2026, 11, 10, 9), utc(2026, 11, 10, 9))
    data = panel("managers", "operup-age", make_ctx(world.a.dealer_admin))
    names = {s["name"] for s in data["series"]}
    assert len(names) == MAX_SERIES and "notice" in data
    assert names == {ZAVOD + f" C:\\OperUp\\{k:03d}.ud6" for k in range(2, MAX_SERIES + 2)}
    oldest = next(s for s in data["series"] if s["name"].endswith(f"{MAX_SERIES + 1:03d}.ud6"))
    assert oldest["y"] == [(MAX_SERIES + 1) * 3600]


def test_disk_space_draws_the_partitions_with_the_least_free_space(world, make_ctx, panel):
    from smart.metrics.models import DiskFree

    inst = world.a.installations["zavod-a"]
    for k in range(MAX_SERIES + 3):  # partition k has k + 1 GB free at its lowest
        for h, extra in ((10, 5), (11, 0)):
            DiskFree.objects.create(installation=inst, observed_at=utc(2026, 11, 19, h), path=f"/p{k:03d}",
                                    free_bytes=(k + 1 + extra) * 10 ** 9, total_bytes=None)
    week = panel("disk-space", "free", make_ctx(world.a.technician, "2026-11-14", "2026-11-20T15:00"))
    names = {s["name"] for s in week["series"]}
    assert names == {ZAVOD + f" /p{k:03d}" for k in range(MAX_SERIES)} and "notice" in week
    assert next(s for s in week["series"] if s["name"].endswith("/p000"))["y"] == [6.0, 1.0]
    newest = panel("disk-space", "all", make_ctx(world.a.technician, "2026-11-14", "2026-11-20T15:00"))["rows"]
    assert len(newest) == MAX_SERIES + 3 and newest[0]["free"] == 1.0
    assert {r["at"] for r in newest} == {utc(2026, 11, 19, 11)}


def _peak_names(data):
    return {s["name"]: max(y for y in s["y"] if y is not None) for s in data["series"]}


def test_month_to_date_panels_rank_installations_by_their_peak_in_the_database(world, facts, make_ctx, panel,
                                                                                 monkeypatch):
    """With more installations than MAX_SERIES, the database ranking by month-end peaks keeps the same series
    that ranking every fetched point keeps."""
    from smart.cabinet.dashboards import managers

    ctx = make_ctx(world.a.dealer_admin)
    for key in ("involvement", "activity"):
        everything = _peak_names(panel("managers", key, ctx))
        assert len(everything) > 1
        monkeypatch.setattr(managers, "MAX_SERIES", 1)
        ranked = panel("managers", key, make_ctx(world.a.dealer_admin))
        monkeypatch.undo()
        best = max(everything.values())
        (name,) = _peak_names(ranked)
        assert everything[name] == best, key
        assert "notice" in ranked
    week = make_ctx(world.a.dealer_admin, "2026-11-02", "2026-11-06")  # per report
    everything = _peak_names(panel("managers", "activity", week))
    monkeypatch.setattr(managers, "MAX_SERIES", 1)
    assert list(_peak_names(panel("managers", "activity", make_ctx(world.a.dealer_admin, "2026-11-02",
                                                                   "2026-11-06")))) == [
        max(everything, key=everything.get)]


def test_rollup_charts_rank_installations_by_their_peak_in_the_database(world, facts, make_ctx, panel, monkeypatch):
    from smart.cabinet.dashboards import managers

    for frm in ("2026-11-14", "2026-10-01"):  # hourly rollups, then daily ones (over 1000 hours)
        everything = _peak_names(panel("managers", "db-requests-hour", make_ctx(world.a.dealer_admin, frm)))
        assert len(everything) > 1
        monkeypatch.setattr(managers, "MAX_SERIES", 1)
        ranked = panel("managers", "db-requests-hour", make_ctx(world.a.dealer_admin, frm))
        monkeypatch.undo()
        assert list(_peak_names(ranked)) == [max(everything, key=everything.get)] and "notice" in ranked


def test_per_user_series_rank_users_by_their_peak_in_the_database(world, make_ctx, panel, monkeypatch):
    from datetime import date

    from smart.cabinet.dashboards import _users

    from .data import month_row

    zavod, bank = world.a.installations["zavod-a"], world.a.installations["bank-a"]
    month_row(zavod, "ivanov", date(2026, 11, 1), utc(2026, 11, 5, 9), documents_opened=40, services=2)
    month_row(zavod, "petrov", date(2026, 11, 1), utc(2026, 11, 6, 9), documents_opened=7)
    month_row(bank, "sidorov", date(2026, 11, 1), utc(2026, 11, 7, 9), documents_opened=30, services=20)
    month_row(bank, "late", date(2026, 11, 1), utc(2026, 11, 21, 9), documents_opened=500)  # after the range end
    everything = _peak_names(panel("managers", "billing-docs", make_ctx(world.a.dealer_admin)))
    assert sorted(everything.values()) == [7, 42, 50]
    monkeypatch.setattr(_users, "MAX_SERIES", 2)
    ranked = panel("managers", "billing-docs", make_ctx(world.a.dealer_admin))
    assert sorted(_peak_names(ranked).values()) == [42, 50] and "3" in ranked["notice"]
