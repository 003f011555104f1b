import pytest


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
