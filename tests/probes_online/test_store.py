"""store_online: counters and de-duplicated search history in the database (SQLite or PostgreSQL)."""
import hashlib
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from smart.probes.models import OnlineCounters, OnlineSearch
from smart.probes.online import OnlineTarget, fingerprint, scrape_billing, scrape_searches, store_online
from smart.probes.results import Result

from .conftest import run

UTC = timezone.utc


@pytest.fixture
def access(dealer, site, settings):
    """The registry's view: a client and its online access on `online.kodeks.ru`, pointed at the stand-in."""
    from smart.registry.models import Client, OnlineAccess

    settings.SMART_CONNECT_TO = {"online.kodeks.ru:443": site.url}
    client = Client.objects.create(dealer=dealer, display_name="ООО Ромашка", slug="romashka")
    access = OnlineAccess.objects.create(dealer=dealer, client=client, firm="Ромашка", login="acme",
                                         password="pw-acme", host="online.kodeks.ru", folder="/docs1/")
    return OnlineAccess.objects.get(pk=access.pk)  # the password comes back decrypted


def test_target_from_access(access, site):
    target = OnlineTarget.from_access(access)
    assert target.base_url == site.url
    assert (target.folder, target.login, target.password, target.host) == ("docs1", "acme", "pw-acme", "online.kodeks.ru")
    assert (target.online_access_id, target.dealer_id) == (access.pk, access.dealer_id)
    assert target.host_header == "online.kodeks.ru"
    assert "pw-acme" not in repr(target)


def test_target_without_override(access, settings):
    settings.SMART_CONNECT_TO = {}
    target = OnlineTarget.from_access(access)
    assert target.base_url == "https://online.kodeks.ru" and target.host_header is None
    assert target.url("profile") == "https://online.kodeks.ru/docs1/profile"
    access.host, access.scheme = "10.0.0.5:8080", "http"
    assert OnlineTarget.from_access(access).url("login") == "http://10.0.0.5:8080/docs1/login"


def test_billing_rows(access, site):
    result = run(scrape_billing(OnlineTarget.from_access(access)))
    assert result.ok, result.detail
    store_online([result])
    row = OnlineCounters.objects.get(online_access=access)
    expected = site.counters("acme")
    assert row.at == result.at
    for kind in ("documents", "search", "print", "export"):
        assert getattr(row, f"{kind}_left") == expected[kind]["left"]
        assert getattr(row, f"{kind}_limit") == expected[kind]["limit"]
    store_online([result, run(scrape_billing(OnlineTarget.from_access(access)))])
    assert OnlineCounters.objects.filter(online_access=access).count() == 3  # every reading is a sample


def test_failed_results_store_nothing(access, site):
    site.fault("wrong_password")
    target = OnlineTarget.from_access(access)
    results = [run(scrape_billing(target)), run(scrape_searches(target, datetime.now(UTC).date()))]
    assert not any(r.ok for r in results)
    store_online(results)
    assert not OnlineCounters.objects.exists() and not OnlineSearch.objects.exists()


def test_history_rows_and_no_duplicates(access, site):
    site.use("acme", search=4)
    site.use("beta", search=2)
    target = OnlineTarget.from_access(access)
    day = datetime.fromisoformat(site.state()["now"]).astimezone(ZoneInfo("Europe/Moscow")).date()
    first = run(scrape_searches(target, day))
    assert first.ok, first.detail
    store_online([first])
    stored = OnlineSearch.objects.filter(online_access=access)
    n = len({(r["at"], r["login"], r["text"], r["search_type"]) for r in first.data["rows"]})
    assert stored.count() == n >= 6
    assert stored.filter(login="beta").count() >= 2
    row = first.data["rows"][-1]
    saved = stored.get(fingerprint=fingerprint(row["at"], row["login"], row["text"], row["search_type"]))
    assert (saved.at, saved.text, saved.search_type, saved.results) == (row["at"], row["text"], row["search_type"], row["results"])

    second = run(scrape_searches(target, day))  # the same night read again
    store_online([second, second])
    assert stored.count() == n

    site.use("acme", search=1)  # one more query: only it is added
    store_online([run(scrape_searches(target, day))])
    assert stored.count() == n + 1


def test_rows_from_json(access):
    """Results that went through JSON (ISO strings for `at`) are stored the same way."""
    at = datetime(2026, 1, 5, 7, 10, tzinfo=UTC)
    row = {"at": at.isoformat(), "login": "acme", "text": "НДС", "search_type": "интеллектуальный", "results": 3}
    result = Result(check="searches", ok=True, at=at, online_access_id=access.pk, dealer_id=access.dealer_id,
                    data={"rows": [row, dict(row, at="2026-01-05T10:10:00+03:00")]})
    store_online([result])
    assert OnlineSearch.objects.get().at == at  # the same instant: one row


def test_fingerprint_is_md5_of_the_natural_key():
    at = datetime(2026, 1, 5, 7, 10, tzinfo=UTC)
    assert fingerprint(at, "u", "t", "k") == hashlib.md5(b"2026-01-05T07:10:00+00:00|u|t|k").hexdigest()
    assert len(fingerprint(at, "u", "t", "k")) == 32


def test_runs_on_the_configured_database(db):
    """The same tests run on SQLite, and on PostgreSQL when DATABASE_URL is set."""
    import os

    from django.db import connection

    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
