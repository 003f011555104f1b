import pytest

from smart.simulator.standin.host import StandinHost
from tests.alerts.conftest import fleet  # noqa: F401 - twelve pulled installations and an online access
from tests.pipeline.conftest import deliver, roga  # noqa: F401 - reports through ingest and the pipeline

from .helpers import OnlineSite


@pytest.fixture(scope="session")
def online_host():
    """One online-access stand-in host for the run; each test adds its own site."""
    host = StandinHost(control_port=None).start_in_thread()
    yield host
    host.stop()


@pytest.fixture
def client(db, dealer):
    from smart.registry.models import Client

    return Client.objects.create(dealer=dealer, display_name="Ромашка", slug="romashka")


@pytest.fixture
def make_site(online_host, settings, client):
    """An online access on its own stand-in site: make_site() for the `client`, or make_site(other_client)."""
    settings.SMART_CONNECT_TO = {}
    return lambda owner=None, login="acme": OnlineSite(online_host, settings, owner or client, login)


@pytest.fixture
def site(make_site) -> OnlineSite:
    return make_site()
