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
