"""Check "searches": one day of search history, times in UTC, and the same errors as "billing"."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from smart.probes.online import scrape_searches

from .conftest import FAST, run

UTC = timezone.utc
MOSCOW = ZoneInfo("Europe/Moscow")


def _last_weekday(site) -> date:
    day = datetime.fromisoformat(site.state()["now"]).astimezone(MOSCOW).date() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def test_a_past_day_as_the_site_shows_it(site, standin):
    day = _last_weekday(site)
    result = run(scrape_searches(site.target(), day))
    assert result.ok, result.detail
    assert (result.check, result.state, result.code) == ("searches", "ok", 200)
    expected = sorted(standin.online(site.name)._generated("docs1", day))
    assert expected, "a weekday has searches"
    assert [(r["at"], r["login"], r["text"], r["search_type"], r["results"]) for r in result.data["rows"]] == expected
    for row in result.data["rows"]:
        assert row["at"].tzinfo == UTC
        assert row["at"].astimezone(MOSCOW).date() == day
        assert row["login"] in ("acme", "beta")  # folder docs1 only


def test_today_includes_simulated_searches(site):
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    site.use("beta", search=3)
    today = datetime.fromisoformat(site.state()["now"]).astimezone(MOSCOW).date()
    result = run(scrape_searches(site.target("acme"), today))
    assert result.ok, result.detail
    mine = [r for r in result.data["rows"] if r["login"] == "beta" and r["at"] >= before]
    assert len(mine) == 3
    assert all(r["search_type"] and isinstance(r["results"], int) for r in mine)


def test_other_folder_has_its_own_history(site):
    site.use("gamma", search=2)
    today = datetime.fromisoformat(site.state()["now"]).astimezone(MOSCOW).date()
    result = run(scrape_searches(site.target("gamma"), today))
    assert result.ok and {r["login"] for r in result.data["rows"]} <= {"gamma"}
    assert sum(r["login"] == "gamma" for r in result.data["rows"]) >= 2


def test_reading_history_spends_no_search_unit(site):
    counters = site.counters("acme")
    for _ in range(3):
        assert run(scrape_searches(site.target(), _last_weekday(site))).ok
    assert site.counters("acme") == counters


def test_errors_are_classified_like_billing(site):
    day = _last_weekday(site)
    site.fault("wrong_password")
    assert run(scrape_searches(site.target(), day)).state == "LoginPasswordError"
    site.fault("wrong_password", False)
    site.fault("read_timeout")
    assert run(scrape_searches(site.target(), day, timeout=FAST)).state == "ReadTimeOut"
    site.fault("read_timeout", False)
    site.fault("garbage")
    assert run(scrape_searches(site.target(), day)).state == "HTTPError"
    site.fault("garbage", False)
    site.fault("refused")
    assert run(scrape_searches(site.target(), day)).state == "ConnectionError"
