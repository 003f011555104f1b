import os

import pytest

DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}
BROWSER_FIXTURES = {"browser", "page", "new_page"}


def _uses_database(item) -> bool:
    return bool(DB_FIXTURES & set(getattr(item, "fixturenames", ()))) or item.get_closest_marker("django_db") is not None


def _drives_a_browser(item) -> bool:
    return bool(BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):
    """SMART_TEST_DATABASE_ONLY=1 (the PostgreSQL pass of tests/run): keep the tests that exercise the database.

    Left out, because the SQLite pass ran them and here they would prove nothing new:
    - tests that never open the database (parsers, stand-ins, transports, catalogue checks): pytest-django blocks
      database access outside the `db` fixtures, so they cannot reach one;
    - the Chromium tests: they check what the browser does with a page (drawing, controls, downloads); every
      page's and panel's queries run on this database through the Django test client tests (the panel tests and
      the tenancy walk over every URL)."""
    if os.environ.get("SMART_TEST_DATABASE_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        (keep if _uses_database(item) and not _drives_a_browser(item) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def _archive_in_tmp(settings, tmp_path):
    """Each test gets its own report archive."""
    settings.SMART_ARCHIVE_DIR = tmp_path / "archive"


@pytest.fixture
def dealer(db):
    from smart.registry.models import Dealer

    return Dealer.objects.create(code="0042", name="kodeks", display_name="Кодекс-Юг")


@pytest.fixture
def dealer_token(dealer):
    from smart.registry.models import IngestToken

    _, plain = IngestToken.issue(dealer, value="legacy-token-0042")
    return plain


@pytest.fixture(autouse=True, scope="module")
def _no_event_loop_left_running():
    """A module must not leave an asyncio loop marked running on the main thread (a Playwright browser kept open
    past its module does): every later `asyncio.run` in the process would fail far from the cause."""
    yield
    import asyncio

    leaked = asyncio._get_running_loop()
    assert leaked is None, f"an event loop is still running on the main thread after this module: {leaked!r}"
