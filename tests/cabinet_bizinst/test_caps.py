"""Charts and tables that could grow with the fleet are capped: the largest series (or the newest rows) are kept,
with a notice; what is kept is checked against the uncapped output and the raw inputs."""
from smart.cabinet.dashboards import _users

from datetime import date

from .data import month_row, refusal, user, utc
from .test_managers import by_name


def test_refusals_per_day_keep_the_newest_rows(world, facts, make_ctx, panel, monkeypatch):
    bank = world.a.installations["bank-a"]
    refusal(bank, utc(2026, 11, 7, 10), "sidorov")
    refusal(bank, utc(2026, 11, 8, 10), "sidorov", count=2)
    ctx = make_ctx(world.a.dealer_admin)
    every = panel("managers", "refusals-day", ctx)
    assert "notice" not in every and len(every["rows"]) == 4  # zavod's 5 and 6 November (facts), bank's two
    monkeypatch.setattr(_users, "ROW_LIMIT", 2)
    newest = panel("managers", "refusals-day", make_ctx(world.a.dealer_admin))
    assert [(r["day"], r["login"], r["count"]) for r in newest["rows"]] == [("2026-11-07", "sidorov", 1),
                                                                           ("2026-11-08", "sidorov", 2)]
    assert "2" in newest["notice"]


def test_refused_users_per_hour_draw_the_installations_with_the_busiest_hour(world, facts, make_ctx, panel,
                                                                             monkeypatch):
    bank = world.a.installations["bank-a"]
    for login in ("a", "b", "c"):  # three accounts refused within one hour: more than zavod's busiest (2)
        refusal(bank, utc(2026, 11, 9, 7, 10), login, code=4106)
    monkeypatch.setattr(_users, "MAX_SERIES", 1)
    data = panel("managers", "refused-users-hour", make_ctx(world.a.dealer_admin))
    [(name, points)] = by_name(data).items()
    assert name.startswith(bank.client.display_name) and [v for _t, v in points] == [3]
    assert "notice" in data


def _idle_bank(world, n=5):
    """bank-a: one active account (DB requests in November) and `n` registered accounts never active."""
    bank = world.a.installations["bank-a"]
    user(bank, "act")
    month_row(bank, "act", date(2026, 11, 1), utc(2026, 11, 19, 9), db_requests=5)
    for k in range(n):
        user(bank, f"idle{k}")
    return bank


def test_zero_query_statistics_draw_the_installations_with_the_most_idle_accounts(world, facts, make_ctx, panel,
                                                                                  monkeypatch):
    bank = _idle_bank(world)
    every = by_name(panel("managers", "zero-queries-30d", make_ctx(world.a.dealer_admin)))
    idle = {name.split(": ", 1)[1]: max(v for _t, v in points if v is not None)
            for name, points in every.items() if name.startswith("не пользуются : ")}
    assert len(idle) > 1
    top_name = max(idle, key=idle.get)
    assert top_name.startswith(bank.client.display_name)
    monkeypatch.setattr(_users, "MAX_SERIES", 3)  # three series per installation: one installation
    data = panel("managers", "zero-queries-30d", make_ctx(world.a.dealer_admin))
    kept = by_name(data)
    assert set(kept) == {n for n in every if n.endswith(top_name)} and len(kept) == 3
    assert all(kept[n] == every[n] for n in kept) and "notice" in data


def test_not_using_for_60_days_draws_the_installations_with_the_most_idle_accounts(world, facts, make_ctx, panel,
                                                                                   monkeypatch):
    bank = _idle_bank(world)
    ctx = ("2026-11-01", "2026-11-20T15:00")
    every = by_name(panel("kodeks-analytics", "not-using-60d", make_ctx(world.a.dealer_admin, *ctx)))
    assert len(every) > 1
    peak = {name: max(v for _t, v in points if v is not None) for name, points in every.items()}
    assert max(peak, key=peak.get).startswith(bank.client.display_name)
    monkeypatch.setattr(_users, "MAX_SERIES", 1)
    data = panel("kodeks-analytics", "not-using-60d", make_ctx(world.a.dealer_admin, *ctx))
    assert by_name(data) == {max(peak, key=peak.get): every[max(peak, key=peak.get)]} and "notice" in data
