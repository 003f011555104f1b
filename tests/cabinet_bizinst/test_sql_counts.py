"""The per-user panels that count and clip in the database or in epoch microseconds (zero_query_months,
inactive_spans_us / inactive_counts, the first-session probe of filled cards) against the same figures
worked out here in plain Python from the raw rows, on data with several months, domains, newcomers, gone
accounts, registrations before the first sighting and timestamps with microseconds."""
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest

from smart.cabinet import queries_bizinst as qb
from smart.metrics.models import InstallationState, KnownUser, UserMonthCounters

from .data import MSK, month_row, session, user, utc
from .test_managers import ZAVOD, by_name

RANGES = [("2026-09-01", "2026-11-20T15:00"), ("2026-11-01", "2026-11-20T15:00"), ("2026-10-10", "2026-11-03")]
DOMAINS = [[], ["LAW"], ["LAW", "HR"]]


@pytest.fixture
def accounts(world):
    """Accounts on two installations of dealer A with activity over four months."""
    zavod, bank = world.a.installations["zavod-a"], world.a.installations["bank-a"]
    for inst in (zavod, bank):
        InstallationState.objects.update_or_create(installation=inst, defaults={"report_time": utc(2026, 11, 20, 9)})
    us = timedelta(microseconds=1)
    for k in range(12):
        inst = zavod if k % 3 else bank
        login = f"u{k:02d}"
        domain = ("LAW", "HR", "")[k % 3]
        first = utc(2026, 1 + k % 9, 3 + k, 7, 5, 9) + 123457 * k * us
        gone = utc(2026, 10, 1 + k, 6) + 17 * us if k % 4 == 1 else None
        registered = date(2025, 12, 20) if k % 5 == 2 else None
        last_login = utc(2026, 8, 1 + k, 9) + 999 * us if k % 3 == 0 else None
        user(inst, login, domain=domain, first_seen=first, last_seen=gone, registered=registered,
             last_login=last_login, card=k % 2 == 0)
        for m, month in enumerate((date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1))):
            if (k + m) % 3 == 0:
                continue
            db = None if (k + m) % 5 == 0 else (k * m) % 4  # None, 0 and positive counts
            month_row(inst, login, month, datetime.combine(month, time(9), MSK) + timedelta(days=k + m) + 31 * us,
                      db_requests=db, prints=1)
        for d in range(k % 4):  # sessions, the first one not the earliest created
            session(inst, login, utc(2026, 11, 10 - 3 * d, 8) + 7 * us)
    user(bank, "newcomer", domain="LAW", first_seen=utc(2026, 11, 15, 10))  # no month rows at all
    return world


def reference_zero_queries(ids, start, end, domains, tz):
    """The figures of A13 the way the panel first computed them: every row of user_months folded here."""
    total, active = defaultdict(int), defaultdict(set)
    for inst, login, month, _t, db in qb.user_months(ids, start, end, domains, ("db_requests",), tz):
        total[(inst, month)] += 1
        if db:
            active[(inst, month)].add(login)
    known = KnownUser.objects.filter(installation__in=ids)
    if domains:
        known = known.filter(domain__in=domains)
    out = {}
    for (inst, month), n in total.items():
        begin = datetime.combine(month, time(), tz)
        stop = datetime.combine((month.replace(day=28) + timedelta(days=4)).replace(day=1), time(), tz)
        idle = sum(1 for k in known.filter(installation=inst)
                   if k.first_seen < stop and k.last_seen >= begin and k.login not in active[(inst, month)])
        out[(inst, month)] = (n, idle)
    return out


@pytest.mark.parametrize("frm,to", RANGES)
@pytest.mark.parametrize("domains", DOMAINS)
def test_zero_query_months_agree_with_folding_every_row(accounts, make_ctx, frm, to, domains):
    ctx = make_ctx(accounts.a.dealer_admin, frm, to)
    ids = ctx.installation_ids
    got = qb.zero_query_months(ids, ctx.tr.start, ctx.tr.end, domains, MSK)
    assert got == reference_zero_queries(ids, ctx.tr.start, ctx.tr.end, domains, MSK)
    assert any(idle for _n, idle in got.values()) or domains == ["LAW"]  # LAW: bank-a only, no November row


def reference_spans(ids, domains, since):
    """inactive_spans worked out from the model rows with times (the original fold)."""
    users = KnownUser.objects.filter(installation__in=ids)
    if domains:
        users = users.filter(domain__in=domains)
    accounts = {}
    for u in users.select_related("installation__state"):
        newest = getattr(getattr(u.installation, "state", None), "report_time", None)
        born = u.first_seen
        if u.registered_on is not None:
            born = min(born, datetime.combine(u.registered_on, time(), u.first_seen.tzinfo))
        gone = u.last_seen if newest is not None and u.last_seen < newest else None
        accounts[(u.installation_id, u.login)] = (born, gone, [u.last_login_at] if u.last_login_at else [])
    rows = list(UserMonthCounters.objects.filter(installation__in=ids, db_requests__gt=0))
    cutoff = None if since is None else since - qb.INACTIVE_AFTER
    latest_before = {}  # with `since`: of the moments before the cutoff, only the latest
    for r in rows:
        if cutoff is not None and r.report_time < cutoff:
            key = (r.installation_id, r.login)
            latest_before[key] = max(latest_before.get(key, r.report_time), r.report_time)
    for r in rows:
        key = (r.installation_id, r.login)
        if key in accounts and (cutoff is None or r.report_time >= cutoff or r.report_time == latest_before[key]):
            accounts[key][2].append(r.report_time)
    spans = {}
    for key, (born, gone, moments) in accounts.items():
        marks = sorted({born, *moments})
        found = []
        for a, b in zip(marks, marks[1:] + [None]):
            begin = a + qb.INACTIVE_AFTER
            stop = b if gone is None or (b is not None and b < gone) else gone
            if stop is None or begin < stop:
                found.append((begin, stop))
        if found:
            spans[key] = found
    return spans


@pytest.mark.parametrize("since", [None, utc(2026, 9, 1), utc(2026, 11, 1)])
@pytest.mark.parametrize("domains", DOMAINS)
def test_inactive_spans_in_microseconds_agree_with_times(accounts, since, domains):
    ids = list(accounts.a.installations[s].pk for s in ("zavod-a", "bank-a"))
    got = qb.inactive_spans(ids, domains, since)
    assert got == reference_spans(ids, domains, since)
    assert any(b is not None for items in got.values() for _a, b in items)  # gone accounts stop counting
    assert [inst for inst, _login in got] == sorted(inst for inst, _login in got)  # by installation


@pytest.mark.parametrize("frm,to", RANGES)
@pytest.mark.parametrize("domains", DOMAINS)
def test_inactive_counts_and_lines_agree_with_the_spans(accounts, make_ctx, panel, frm, to, domains):
    ctx = make_ctx(accounts.a.dealer_admin, frm, to, **({"domain": domains} if domains else {}))
    start, end = ctx.tr.start, ctx.tr.end
    spans = qb.inactive_spans(ctx.installation_ids, domains, start)
    assert qb.inactive_counts(ctx.installation_ids, domains, start, end) == qb.count_over_time(spans, start, end)
    lab = qb.labels(ctx.installations)
    expected = {}
    for (inst, login), items in spans.items():
        points = []
        for begin, stop in items:
            a, b = max(begin, start), min(stop or end, end)
            if a < b:
                points += [(a, None)] if points else []
                points += [(a, 0), (b, 0)]
        if points:
            expected[qb.series_name(lab.get(inst), login)] = points
    lines = by_name(panel("managers", "zero-queries-60d", ctx))
    assert lines == expected and lines


def test_epoch_microseconds_round_trip(accounts):
    t = utc(2026, 3, 4, 5, 6, 7) + timedelta(microseconds=654321)
    user(accounts.a.installations["zavod-a"], "exact", first_seen=t, registered=date(2024, 2, 29))
    (us, reg), = KnownUser.objects.filter(login="exact").values_list(qb.EpochMicroseconds("first_seen"),
                                                                     qb.EpochMicroseconds("registered_on"))
    assert qb.from_epoch_us(us) == t and qb.to_epoch_us(t) == us
    assert qb.from_epoch_us(reg) == utc(2024, 2, 29)


def test_filled_cards_start_at_each_accounts_first_session(accounts, make_ctx, panel):
    """The first session (not the first created, nor the last login) moves the share, per installation."""
    ctx = make_ctx(accounts.a.dealer_admin, "2026-09-01", "2026-11-20T15:00")
    data = by_name(panel("managers", "filled-cards", ctx))
    zavod = accounts.a.installations["zavod-a"]
    firsts = []
    for k in KnownUser.objects.filter(installation=zavod):
        starts = [s for s in k.installation.sessions.filter(login=k.login).values_list("started_at", flat=True)]
        moment = min(starts) if starts else k.last_login_at
        if moment is not None:
            firsts.append((moment, all((getattr(k, f) or "").strip() for f in qb.CARD_FIELDS)))
    firsts.sort(key=lambda e: e[0])
    expected, logged, filled = [], 0, 0
    for moment, ok in firsts:
        logged, filled = logged + 1, filled + ok
        t = max(moment, ctx.tr.start)
        if expected and expected[-1][0] == t:
            expected.pop()
        expected.append((t, round(100.0 * filled / logged, 2)))
    expected.append((ctx.tr.end, expected[-1][1]))
    assert data[ZAVOD] == expected and len(expected) > 3
