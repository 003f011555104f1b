"""Online-access scraper tests: SMART's scraper against the online-access stand-in over real sockets."""
import asyncio
import itertools

import pytest

from smart.probes.online import OnlineTarget
from smart.simulator.standin.host import StandinHost

ACCOUNTS = [
    {"login": "acme", "password": "pw-acme", "folder": "docs1"},
    {"login": "beta", "password": "pw-beta", "folder": "docs1"},
    {"login": "gamma", "password": "pw-gamma", "folder": "docs2"},
]
FAST = (0.5, 0.5)  # connect, read timeouts for the fault tests
_names = itertools.count(1)


def run(coro):
    return asyncio.run(coro)


@pytest.fixture(scope="session")
def standin():
    """One stand-in host (its own thread and loop) for the whole run; each test adds its own site."""
    host = StandinHost(control_port=None).start_in_thread()
    yield host
    host.stop()


class Site:
    """One online-access host of the stand-in, with the test's view of it."""

    def __init__(self, host: StandinHost, name: str):
        self.host, self.name = host, name
        self.url = host.url(name, kind="online")

    def state(self) -> dict:
        return self.host.state(self.name)

    def fault(self, name: str, value=True) -> dict:
        return self.host.set_fault(self.name, name, value)

    def use(self, login: str, **counts) -> dict:
        return self.host.use(self.name, login, **counts)

    def counters(self, login: str) -> dict:
        return self.state()["accounts"][login]["counters"]

    def target(self, login: str = "acme", password: str | None = None, folder: str | None = None,
               online_access_id: int | None = 1) -> OnlineTarget:
        account = next(a for a in ACCOUNTS if a["login"] == login)
        return OnlineTarget(online_access_id=online_access_id, dealer_id=1, base_url=self.url,
                            folder=folder if folder is not None else account["folder"], login=login,
                            password=account["password"] if password is None else password,
                            host=self.url.split("://", 1)[1])


@pytest.fixture
def site(standin) -> Site:
    name = f"online-test-{next(_names)}"
    standin.add_online(name, accounts=[dict(a) for a in ACCOUNTS])
    return Site(standin, name)
