"""Kodeks analytics and User cards panels that rank in the database (or over the days with data only) keep
the series and users that ranking every value, worked out here from the raw inputs, would keep."""
import random
from datetime import date, timedelta

from smart.cabinet import queries_bizinst as qb
from smart.cabinet.dashboards import kodeks_analytics
from smart.metrics.models import DailyRollup
from smart.registry.models import Installation

from .data import days, month_row, report_time, utc
from .test_kodeks_analytics import local
from .test_managers import by_name


def _name(inst) -> str:
    return qb.series_name(qb.labels(Installation.objects.filter(pk=inst.pk))[inst.pk])


def test_free_licences_draw_the_largest_margins(world, facts, make_ctx, panel, monkeypatch):
    insts = list(world.a.installations.values())
    for frm, when in (("2026-11-01", report_time), ("2026-08-01", local)):  # hourly, then daily rollups
        margins = {i.pk: [(when(d), facts[i.pk].seats_total - facts[i.pk].seats_used[d])
                          for d in days() if d >= date.fromisoformat(frm)] for i in insts}
        best = max(insts, key=lambda i: (max(v for _t, v in margins[i.pk]), -i.pk))  # ties: the first installation
        monkeypatch.setattr(kodeks_analytics, "MAX_SERIES", 1)
        data = panel("kodeks-analytics", "free-licences", make_ctx(world.a.dealer_admin, frm, "2026-11-20T15:00"))
        monkeypatch.undo()
        assert by_name(data) == {_name(best): margins[best.pk]}, frm
        assert str(len(insts)) in data["notice"]


def _rolling(values: dict, first: date, last: date) -> list:
    """Per day, the sum over the 30 days ending that day (None where 0)."""
    out, d = [], first
    while d <= last:
        window = sum(n for x, n in values.items() if d - timedelta(days=30) < x <= d)
        out.append((local(d), window or None))
        d += timedelta(days=1)
    return out


def test_kassist_draws_the_largest_windows_and_skips_empty_days(world, facts, make_ctx, panel, monkeypatch):
    insts = list(world.a.installations.values())
    zavod = world.a.installations["zavod-a"]
    # zavod-a: no kAssist requests from 5 to 9 November (days without data inside the windows)
    DailyRollup.objects.filter(installation=zavod, day__range=(date(2026, 11, 5), date(2026, 11, 9))) \
        .update(kassist_requests=0)
    requests = {i.pk: {d: facts[i.pk].inc[d]["kassist_requests"] for d in days()} for i in insts}
    for d in days():
        if date(2026, 11, 5) <= d <= date(2026, 11, 9):
            requests[zavod.pk][d] = 0
    expected = {i.pk: _rolling(requests[i.pk], date(2026, 11, 1), date(2026, 11, 20)) for i in insts}
    ctx = make_ctx(world.a.dealer_admin, "2026-11-01", "2026-11-20T15:00")
    assert by_name(panel("kodeks-analytics", "kassist-month", ctx)) == {_name(i): expected[i.pk] for i in insts}
    best = max(insts, key=lambda i: (max(v or 0 for _t, v in expected[i.pk]), -i.pk))
    monkeypatch.setattr(kodeks_analytics, "MAX_SERIES", 1)
    data = panel("kodeks-analytics", "kassist-month", make_ctx(world.a.dealer_admin, "2026-11-01", "2026-11-20T15:00"))
    assert by_name(data) == {_name(best): expected[best.pk]} and str(len(insts)) in data["notice"]


def test_kassist_window_peak_agrees_with_every_day():
    rnd = random.Random(7)
    start, end = date(2026, 10, 1), date(2026, 11, 30)
    for _ in range(300):
        values = {start - timedelta(days=30) + timedelta(days=k): rnd.choice((1, 2, 5, 40))
                  for k in sorted(rnd.sample(range(91), rnd.randint(0, 12)))}
        every_day = max((sum(n for x, n in values.items() if d - timedelta(days=30) < x <= d)
                         for d in (start + timedelta(days=k) for k in range((end - start).days + 1))), default=0)
        assert kodeks_analytics._window_peak(values, start, end) == every_day, values


def test_kassist_from_before_the_range_peaks_at_its_start(world, make_ctx, panel):
    inst = world.a.installations["zavod-a"]
    DailyRollup.objects.create(installation=inst, day=date(2026, 10, 10), kassist_requests=7)
    DailyRollup.objects.create(installation=inst, day=date(2026, 10, 20), kassist_requests=5)
    data = by_name(panel("kodeks-analytics", "kassist-month", make_ctx(world.a.dealer_admin, "2026-11-01",
                                                                       "2026-11-20T15:00")))
    # 1–8 November: 7 + 5 (10 October leaves the window on 9 November), then 5 until 18 November, then nothing
    assert data == {_name(inst): [(local(date(2026, 11, d)), 12 if d <= 8 else 5 if d <= 18 else None)
                                  for d in range(1, 21)]}


def test_top_20_cuts_at_twenty_ties_by_installation_then_login(world, make_ctx, panel):
    zavod, bank = world.a.installations["zavod-a"], world.a.installations["bank-a"]
    activity = {}
    for login in ["Борис", "anna", "Zed", "zed", "Юля", "boris"]:  # equal activity: by code point
        for inst in (bank, zavod):
            month_row(inst, login, date(2026, 11, 1), utc(2026, 11, 5), db_requests=500)
            activity[(inst.pk, login)] = 500
    for k in range(20):  # October and November rows summed
        month_row(zavod, f"u{k:02d}", date(2026, 10, 1), utc(2026, 10, 30), prints=k, saves=3)
        month_row(zavod, f"u{k:02d}", date(2026, 11, 1), utc(2026, 11, 6), searches=2 * k)
        activity[(zavod.pk, f"u{k:02d}")] = 3 * k + 3
    month_row(bank, "idle", date(2026, 11, 1), utc(2026, 11, 6))  # no activity: never listed
    expected = sorted(activity.items(), key=lambda x: (-x[1], x[0]))[:20]
    rows = panel("user-cards", "top20", make_ctx(world.a.dealer_admin, "2026-10-01", "2026-11-20T15:00"))["rows"]
    names = {zavod.pk: zavod.name, bank.pk: bank.name}
    assert [(r["host"], r["name"], r["activity"]) for r in rows] == [(names[i], login, v) for (i, login), v in expected]
    assert rows[0]["domain"] == "НеОпределён"
