"""Hundreds of K/TE stand-ins in one process."""
import time

import httpx

from smart.simulator.standin import StandinHost

N = 300


def test_300_kte_instances_answer_docs():
    started = time.monotonic()
    with StandinHost(N, 0) as host:
        took = time.monotonic() - started
        assert took < 30, f"start took {took:.1f} s"
        ports = {server.port for server in host.ktes.values()}
        assert len(ports) == N
        limits = httpx.Limits(max_keepalive_connections=0)  # do not hold 300 idle sockets open
        with httpx.Client(timeout=5, limits=limits) as client:
            for port in ports:
                response = client.get(f"http://127.0.0.1:{port}/docs")
                assert response.status_code == 200 and '<div id="kodeks-main">' in response.text
        state = httpx.get(host.control_url, timeout=10).json()
        assert len(state["kte"]) == N and all(s["requests"] == 1 for s in state["kte"].values())


def test_base_port_gives_consecutive_ports():
    probe = StandinHost(0, 0, control_port=0)
    with probe:
        base = probe.control.port + 1  # near a port we know was free
    with StandinHost(3, 1, base_port=base) as host:
        ports = [s.port for s in host.ktes.values()] + [host.online(0).port]
        assert ports == sorted(ports) and ports[0] >= base and len(set(ports)) == 4
