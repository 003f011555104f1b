"""Dashboard query functions over processed reports, checked against values worked out by hand."""
from datetime import date, timedelta

from smart.metrics import queries as q
from smart.metrics.models import DailyRollup

from .reports import as_zip, search, sysinfo, utc


def feed(deliver):
    # Moscow is UTC+3: 20:00 and 22:00 UTC on the 25th fall on two different local days
    for at, n in [(utc(2026, 11, 25, 8), 10), (utc(2026, 11, 25, 20), 30), (utc(2026, 11, 25, 22), 45)]:
        deliver(as_zip(sysinfo(at, db_requests=(n, 0), searches=[search(at - timedelta(minutes=1), results=0)])))


def test_daily_rollups_follow_the_installations_calendar(deliver, roga):
    feed(deliver)
    days = dict(DailyRollup.objects.filter(installation=roga).values_list("day", "db_requests"))
    assert days == {date(2026, 11, 25): 30, date(2026, 11, 26): 15}


def test_series_and_totals(deliver, roga):
    feed(deliver)
    rng = q.Range(utc(2026, 11, 25), utc(2026, 11, 27))
    hourly = q.series_by_installation([roga.pk], rng, "db_requests", "hour")[roga.pk]
    # each search a minute before its report lands in the previous hour: that hour has a rollup too
    assert [v for _, v in hourly] == [0, 10, 0, 20, 0, 15]
    assert q.fleet_series([roga.pk], rng, "empty_searches", "day") == [(date(2026, 11, 25), 2), (date(2026, 11, 26), 1)]
    assert q.totals([roga.pk], rng)[roga.pk]["db_requests"] == 45
    assert q.auto_step(q.Range(utc(2026, 8, 1), utc(2026, 11, 1))) == "day"


def test_involvement_and_latest(deliver, roga):
    feed(deliver)
    # one of two users made DB requests this month, 10 seats: 10 %
    assert q.involvement([roga.pk], date(2026, 11, 1)) == {roga.pk: 10.0}
    [row] = q.latest_states([roga.pk])
    assert row["report_time"] == utc(2026, 11, 25, 22) and row["seats_total"] == 10


def test_searches_table(deliver, roga):
    feed(deliver)
    rows = q.searches([roga.pk], q.Range(utc(2026, 11, 25), utc(2026, 11, 27)), empty_only=True)
    assert len(rows) == 3 and all(r["results"] == 0 for r in rows)
    assert rows[0]["at"] > rows[-1]["at"]


def test_key_history_and_header_fields(deliver, roga):
    for h, key in [(8, "ok"), (9, "not_found"), (10, "not_found"), (11, "ok")]:
        deliver(as_zip(sysinfo(utc(2026, 11, 26, h), key=key, db_requests=(h, 0))))
    rng = q.Range(utc(2026, 11, 26), utc(2026, 11, 27))
    assert [(c["at"].hour, c["key_state"]) for c in q.key_history([roga.pk], rng)] == [(8, "ok"), (9, "not_found"), (11, "ok")]
    [row] = q.latest_states([roga.pk])
    assert row["catalogues"] == ["/docs"] and row["sysinfo_version"] == "2.0.6.15"
