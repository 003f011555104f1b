import httpx
import pytest

from smart.simulator.standin import StandinHost


@pytest.fixture
def host():
    """Two K/TE servers (with reverse proxy and licence manager) and one online-access host."""
    h = StandinHost(2, 1, proxy=True, licman=True, use_interval=None).start_in_thread()
    yield h
    h.stop()


class Control:
    def __init__(self, url: str):
        self.url = url

    def get(self, kind: str | None = None, name: str | None = None) -> dict:
        url = self.url if kind is None else f"{self.url}/{kind}/{name}"
        response = httpx.get(url, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, kind: str, name: str, payload: dict, status: int = 200) -> dict:
        response = httpx.post(f"{self.url}/{kind}/{name}", json=payload, timeout=10)
        assert response.status_code == status, response.text
        return response.json()

    def fault(self, kind: str, name: str, fault: str, value=True) -> dict:
        return self.post(kind, name, {"faults": {fault: value}})


@pytest.fixture
def control(host):
    return Control(host.control_url)


@pytest.fixture
def kte(host):
    """(name, base URL, password) of the first K/TE server."""
    server = host.kte(0)
    return server.name, host.url(0), server.password
