"""The 00-product decisions on involvement, activity and the filled card, and the 60-day inactivity spans,
with examples worked out by hand."""
from datetime import date, datetime, timedelta

import pytest

from smart.cabinet import queries_bizinst as qb

from .data import MSK, month_row, user, utc


def snap(**kw):
    row = {f"total_{c}": None for c in qb.ACTIVITY}
    row.update(kw)
    return row


def test_involvement_is_users_with_db_requests_over_seats():
    assert qb.involvement_of({"users_active_month": 3, "seats_total": 4}) == 75.0
    assert qb.involvement_of({"users_active_month": 16, "seats_total": 10}) == 160.0  # more people than seats
    assert qb.involvement_of({"users_active_month": 3, "seats_total": 0}) is None  # no reg-file seats: no value
    assert qb.involvement_of({"users_active_month": None, "seats_total": 10}) is None  # no counters in the report


def test_activity_sums_every_action_but_free_documents():
    row = snap(total_db_requests=10, total_documents_opened=5, total_services=1, total_link_follows=2,
               total_saves=3, total_prints=4, total_searches=6, total_kassist_requests=7)
    row["total_documents_free"] = 1000
    assert qb.activity_of(row) == 38
    assert qb.activity_of(snap(total_prints=2)) == 2  # missing counters count as 0 ...
    assert qb.activity_of(snap()) is None  # ... unless the report had none at all: unknown, not zero


@pytest.mark.parametrize("card,filled", [
    ({"full_name": "Иванов И.И.", "phone": "1", "email": "a@b", "position": "юрист", "department": "ПО"}, True),
    ({"full_name": "Иванов И.И.", "phone": "1", "email": "a@b", "position": "юрист", "department": ""}, False),
    ({"full_name": "Иванов И.И.", "phone": "  ", "email": "a@b", "position": "юрист", "department": "ПО"}, False),
    ({"full_name": "Иванов И.И.", "phone": "1", "email": "a@b", "position": "юрист"}, False),
])
def test_filled_card_needs_all_five_fields(card, filled):
    assert qb.card_filled(card) is filled


def test_inactive_spans_worked_by_hand(world):
    inst = world.a.installations["zavod-a"]
    # seen from 1 Jan; DB requests last changed 10 Feb and 20 Jun; last login 1 Jul
    user(inst, "a", first_seen=utc(2026, 1, 1), last_login=utc(2026, 7, 1), last_seen=utc(2026, 11, 20, 9))
    month_row(inst, "a", date(2026, 2, 1), utc(2026, 2, 10), db_requests=3)
    month_row(inst, "a", date(2026, 6, 1), utc(2026, 6, 20), db_requests=1)
    month_row(inst, "a", date(2026, 8, 1), utc(2026, 8, 5), prints=2)  # no DB request: not activity
    # never active, registered before SMART first saw the account
    user(inst, "b", first_seen=utc(2026, 9, 1), registered=date(2026, 6, 1), last_seen=utc(2026, 11, 20, 9))
    # gone: the newest report (20 Nov) no longer lists it since 1 Oct
    user(inst, "c", first_seen=utc(2026, 1, 1), last_seen=utc(2026, 10, 1))
    from smart.metrics.models import InstallationState

    InstallationState.objects.update_or_create(installation=inst, defaults={"report_time": utc(2026, 11, 20, 9)})
    spans = qb.inactive_spans([inst.pk])
    d60 = timedelta(days=60)
    assert spans[(inst.pk, "a")] == [(utc(2026, 4, 11), utc(2026, 6, 20)), (utc(2026, 7, 1) + d60, None)]
    assert spans[(inst.pk, "b")] == [(datetime(2026, 6, 1, tzinfo=utc(2026, 1, 1).tzinfo) + d60, None)]
    assert spans[(inst.pk, "c")] == [(utc(2026, 1, 1) + d60, utc(2026, 10, 1))]
    # from 1 September on: the moments before 3 July (60 days earlier) fold into their latest; same open spans
    since = utc(2026, 9, 1)
    later = qb.inactive_spans([inst.pk], since=since)
    for key in spans:
        assert [x for x in later[key] if x[1] is None or x[1] > since] == [x for x in spans[key] if x[1] is None or x[1] > since]
    # the count over September–November: a (from 30 Aug) and b (from 31 Jul) throughout, c until 1 Oct
    start, end = utc(2026, 9, 1), utc(2026, 11, 20)
    assert qb.count_over_time(spans, start, end)[inst.pk] == [(start, 3), (utc(2026, 10, 1), 2), (end, 2)]


def test_month_to_date_resets_in_the_installations_month(world):
    """January against December: the 1st of January starts again from that day's actions (day step)."""
    from smart.metrics.models import DailyRollup

    inst = world.a.installations["zavod-a"]
    for d, n in [(date(2026, 12, 30), 5), (date(2026, 12, 31), 7), (date(2027, 1, 1), 2), (date(2027, 1, 2), 3)]:
        DailyRollup.objects.create(installation=inst, day=d, reports=1, db_requests=n)
    DailyRollup.objects.create(installation=inst, day=date(2026, 11, 30), reports=1, db_requests=100)  # other month
    got = qb.month_to_date([inst.pk], datetime(2026, 12, 31, tzinfo=MSK), datetime(2027, 1, 3, tzinfo=MSK),
                           ("db_requests",), MSK, step="day")
    assert got[inst.pk] == [(datetime(2026, 12, 31, tzinfo=MSK), 12.0), (datetime(2027, 1, 1, tzinfo=MSK), 2.0),
                            (datetime(2027, 1, 2, tzinfo=MSK), 5.0)]
