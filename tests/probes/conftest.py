import pytest


@pytest.fixture
def pulled(db, dealer):
    """A pulled installation registered for the dealer (address and port set by the test)."""
    from smart.registry.models import Client, Installation

    client = Client.objects.create(dealer=dealer, display_name="Облако", slug="cloud-10234")
    return Installation.objects.create(
        dealer=dealer, client=client, kind=Installation.Kind.PULLED, name="10234.te-cloud.ru:443",
        address="127.0.0.1", port=9, scheme="http", download=True, smartlogin_password="sl-secret")


@pytest.fixture(scope="module")
def standin():
    """One K/TE stand-in with a reverse proxy and a licence manager, and one online host, on loopback."""
    from smart.simulator.standin.host import StandinHost

    host = StandinHost(kte=1, online=1, proxy=True, licman=True, seed=11).start_in_thread()
    yield host
    host.stop()


@pytest.fixture
def kte(standin):
    """The K/TE stand-in with every fault cleared before and after the test."""
    server = standin.kte(0)
    standin.clear_faults(server.name)
    yield server
    standin.clear_faults(server.name)


def target_for(server, *, port=None, host="127.0.0.1", licman=True, password=None, **kw):
    from smart.probes.targets import InstallationTarget

    port = port or server.port
    values = dict(
        installation_id=1, dealer_id=1, name=f"{host}:{port}", scheme="http", host=host, port=port,
        connect_host="127.0.0.1", connect_port=port, connect_scheme="http", ping=True, download=True,
        smartlogin_password=server.password if password is None else password,
        licman_host="127.0.0.1" if licman else "", licman_port=server.licman.port if licman and server.licman else None,
        overridden=host != "127.0.0.1")
    values.update(kw)
    return InstallationTarget(**values)
