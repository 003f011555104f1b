"""A live SMART (uvicorn on loopback) and K/TE stand-ins, for running the generated scripts with real curl."""
import pytest

from smart.simulator.standin import StandinHost
from tests.ingest.conftest import live_smart  # noqa: F401  (the session-wide live server)


@pytest.fixture
def smart(live_smart, transactional_db):  # noqa: F811
    return live_smart


@pytest.fixture
def kte_host():
    host = StandinHost(1, 0, proxy=False, licman=False, use_interval=None).start_in_thread()
    yield host
    host.stop()


@pytest.fixture
def installation(transactional_db):
    from smart.registry.models import Client, Dealer, IngestToken, Installation

    dealer = Dealer.objects.create(code="0042", name="kodeks")
    IngestToken.issue(dealer, value="legacy-token-0042")
    client = Client.objects.create(dealer=dealer, slug="ZAVOD", display_name="Завод «Звезда»")
    return Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="ZAVOD",
                                       expected_interval_s=3600, status_interval_s=900)
