"""A sysinfo report goes from upload to queryable facts and `smart status --json` latest state."""
from datetime import date, timedelta

from smart.metrics.models import HourlyRollup, InstallationState, KnownUser, LicenceState, SessionEvent, Snapshot

from .reports import as_zip, search, sysinfo, utc


def test_upload_to_latest_state(deliver, status_json):
    at = utc(2026, 11, 26, 9, 0)
    report = deliver(as_zip(sysinfo(at, searches=[search(at - timedelta(minutes=5), results=0)])))
    assert (report.status, report.report_time) == ("ok", at)
    latest = status_json()["latest"]
    assert latest["report_time"] == at.isoformat()
    assert latest["version"] == "6.4.5.46" and latest["regnum"] == "123456" and latest["legal_name"] == 'ООО "Ромашка"'
    assert (latest["seats_total"], latest["seats_used"], latest["key_state"]) == (10, 2, "ok")
    assert latest["licence_expiry"] == "2026-12-31"  # the nearest of the two products
    assert latest["operup_max_age_hours"] == 5.0
    assert status_json()["reports"][0]["status"] == "ok"


def test_facts_are_stored(deliver, roga):
    at = utc(2026, 11, 26, 9, 0)
    deliver(as_zip(sysinfo(at, searches=[search(at - timedelta(minutes=5), results=0), search(at - timedelta(minutes=3))])))
    hour = HourlyRollup.objects.get(installation=roga, hour=utc(2026, 11, 26, 9))
    assert (hour.reports, hour.seats_used_max, hour.seats_total, hour.db_requests) == (1, 2, 10, 15)
    rollup_8 = HourlyRollup.objects.get(installation=roga, hour=utc(2026, 11, 26, 8))
    assert (rollup_8.searches, rollup_8.empty_searches) == (2, 1)
    assert KnownUser.objects.filter(installation=roga).count() == 2
    assert SessionEvent.objects.filter(installation=roga).count() == 2
    assert LicenceState.objects.filter(installation=roga).count() == 2


def test_reprocessing_changes_nothing(deliver, roga):
    from smart.pipeline.process import process_report

    at = utc(2026, 11, 26, 9, 0)
    report = deliver(as_zip(sysinfo(at, searches=[search(at - timedelta(minutes=5))])))
    before = dump(roga)
    process_report(report)
    process_report(report)
    assert dump(roga) == before


def dump(installation):
    from smart.metrics import models as m

    tables = [m.Snapshot, m.HourlyRollup, m.UserMonthCounters, m.KnownUser, m.SearchEvent, m.SessionEvent,
              m.RefusalEvent, m.DbErrorEvent, m.OperupEvent, m.VersionEvent, m.LicenceState]
    return {t.__name__: sorted(str(sorted((k, str(v)) for k, v in row.items() if k != "id"))
                               for row in t.objects.filter(installation=installation).values()) for t in tables}


def test_out_of_order_reports_fill_history_and_keep_newest_state(deliver, roga):
    reports = {h: sysinfo(utc(2026, 11, 26, h), db_requests=(n, 0), version=v)
               for h, n, v in [(10, 10, "6.4.5.40"), (11, 25, "6.4.5.40"), (12, 40, "6.4.5.46")]}
    for h in (12, 10, 11):  # a closed network's batch, out of order
        deliver(as_zip(reports[h]))
    state = InstallationState.objects.get(installation=roga)
    assert state.report_time == utc(2026, 11, 26, 12) and state.version == "6.4.5.46"
    incs = dict(HourlyRollup.objects.filter(installation=roga).values_list("hour", "db_requests"))
    assert incs == {utc(2026, 11, 26, 10): 10, utc(2026, 11, 26, 11): 15, utc(2026, 11, 26, 12): 15}


def test_month_rollover_resets_increments(deliver, roga):
    # 20:30 UTC on Nov 30 is already Dec 1 in Moscow: counters restart there
    deliver(as_zip(sysinfo(utc(2026, 11, 30, 19), db_requests=(500, 0))))
    deliver(as_zip(sysinfo(utc(2026, 11, 30, 21), db_requests=(3, 0))))
    months = dict(Snapshot.objects.filter(installation=roga).values_list("report_time", "month"))
    assert months == {utc(2026, 11, 30, 19): date(2026, 11, 1), utc(2026, 11, 30, 21): date(2026, 12, 1)}
    assert HourlyRollup.objects.get(installation=roga, hour=utc(2026, 11, 30, 21)).db_requests == 3


def test_overlapping_search_logs_are_deduplicated(deliver, roga):
    from smart.metrics.models import SearchEvent

    s1, s2, s3 = (search(utc(2026, 11, 26, 9, m), text=f"запрос {m}") for m in (10, 20, 40))
    deliver(as_zip(sysinfo(utc(2026, 11, 26, 10), searches=[s1, s2])))
    deliver(as_zip(sysinfo(utc(2026, 11, 26, 11), searches=[s2, s3])))
    assert SearchEvent.objects.filter(installation=roga).count() == 3
    assert HourlyRollup.objects.get(installation=roga, hour=utc(2026, 11, 26, 9)).searches == 3


def test_big_report_takes_the_bulk_path_and_stays_idempotent(deliver, roga):
    """Hundreds of rows per table go through COPY on PostgreSQL (multi-row VALUES on SQLite)."""
    import dataclasses

    from smart.formats.model import User, UserCounters
    from smart.metrics.models import KnownUser, SearchEvent, UserMonthCounters
    from smart.pipeline.process import process_report

    at = utc(2026, 11, 26, 9)
    base = sysinfo(at, searches=[search(at - timedelta(seconds=5 * k), text=f"запрос {k}", results=k % 3)
                                 for k in range(300)])
    logins = [f"user{k:03d}" for k in range(250)]
    big = dataclasses.replace(
        base, users=tuple(User(login=x, full_name=x) for x in logins),
        counters=tuple(UserCounters(login=x, db_requests=k) for k, x in enumerate(logins)),
    )
    report = deliver(as_zip(big))
    counts = (SearchEvent.objects.filter(installation=roga).count(), KnownUser.objects.filter(installation=roga).count(),
              UserMonthCounters.objects.filter(installation=roga).count())
    assert counts == (300, 250, 250)
    assert SearchEvent.objects.filter(installation=roga, results=0).count() == 100
    process_report(report)
    assert (SearchEvent.objects.filter(installation=roga).count(), KnownUser.objects.filter(installation=roga).count(),
            UserMonthCounters.objects.filter(installation=roga).count()) == counts
    assert UserMonthCounters.objects.get(installation=roga, login="user249").db_requests == 249
