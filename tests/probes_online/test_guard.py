"""The billing-unit guarantee: SMART never requests a billable page, so it never spends a client's unit."""
import asyncio
from datetime import date

import httpx
import pytest

from smart.probes import online
from smart.probes.online import (BillableRequestRefused, billable_pattern, make_client, scrape_billing,
                                 scrape_searches)
from smart.simulator.standin.http import Listener, html, redirect

from .conftest import run

BILLABLE = [
    "/docs1/document/1", "/docs1/search?q=налог", "/docs1/print/5", "/docs1/export/5", "/docs1/documents/7",
    "/DOCS1/Document/1", "/docs1//print/2", "/docs1/./export/3", "/docs1/x/../document/1", "/docs1/%64ocument/1",
    "/docs1/%2564ocument/1", "/docs1/search", "/docs1/search/", "/docs1/document;jsessionid=1/1",
    "/other/print/1", "/docs1/sub/export/9",
]
ALLOWED = ["/docs1/login", "/docs1/profile", "/docs1/history?date=2026-01-05", "/docs1/logout",
           "/docs1/searches-help", "/docs1/printable-profile", "/search/login"]


@pytest.mark.parametrize("path", BILLABLE)
def test_billable_paths_are_recognised(path):
    assert billable_pattern(path, "docs1")


@pytest.mark.parametrize("path", ALLOWED)
def test_scraper_paths_are_not_billable(path):
    assert billable_pattern(path, "docs1" if not path.startswith("/search/") else "search") is None


def test_the_pages_smart_needs_are_not_billable():
    for name, template in online.load("online")["paths"].items():
        assert billable_pattern(template.replace("{folder}", "docs1"), "docs1") is None, name


def test_without_a_folder_the_guard_is_stricter():
    assert billable_pattern("/search/login") is not None  # a folder named like a billable page
    assert billable_pattern("/docs1/login") is None


def _refuses(client_factory, url: str) -> None:
    async def go():
        async with client_factory() as client:
            with pytest.raises(BillableRequestRefused):
                await client.get(url)
    run(go())


@pytest.mark.parametrize("path", ["/docs1/document/1", "/docs1/search?q=x", "/docs1/print/1", "/docs1/export/1"])
def test_the_client_refuses_before_sending(site, path):
    before = site.state()
    _refuses(lambda: make_client("docs1"), site.url + path)
    _refuses(make_client, site.url + path)  # the folder-less client refuses too
    after = site.state()
    assert after["requests"] == before["requests"]  # nothing reached the server
    assert after["billable_hits"] == 0
    assert after["accounts"] == before["accounts"]


def test_nothing_even_connects():
    """A bare TCP listener: a refused request does not even open a connection."""
    connections = []

    async def go():
        async def accepted(reader, writer):
            connections.append(1)
            writer.close()
        server = await asyncio.start_server(accepted, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with make_client("docs1") as client:
            for path in ("/docs1/document/1", "/docs1/search?q=x", "/docs1/print/1", "/docs1/export/1"):
                with pytest.raises(BillableRequestRefused):
                    await client.get(f"http://127.0.0.1:{port}{path}")
        await asyncio.sleep(0.05)
        server.close()
        await server.wait_closed()
    run(go())
    assert connections == []


def _trap(location: str):
    """A site whose login lands on `location`, recording every path asked."""
    seen = []

    async def handle(request):
        seen.append(request.path)
        if request.path == "/docs1/login" and request.method == "POST":
            return redirect(location, [("Set-Cookie", "OSESSION=t; Path=/")])
        if request.path == "/docs1/login":
            return html('<form id="login-form"><input name="login"><input name="password"></form>')
        return html("<p>spent</p>")
    return handle, seen


@pytest.mark.parametrize("location", ["/docs1/document/1", "/docs1/search?q=x", "http://127.0.0.1:1/p/print/1"])
def test_a_redirect_to_a_billable_page_is_not_followed(location):
    """Even with a caller's plain httpx client (no hook), the session checks every hop."""
    handle, seen = _trap(location)

    async def go():
        listener = Listener(handle)
        port = await listener.start()
        target = online.OnlineTarget(1, 1, f"http://127.0.0.1:{port}", "docs1", "acme", "pw", f"127.0.0.1:{port}")
        try:
            async with httpx.AsyncClient() as plain:
                return await scrape_billing(target, client=plain)
        finally:
            await listener.stop()
    result = run(go())
    assert (result.ok, result.state) == (False, "UnexpectedPage")
    assert "billable" in result.detail and "no unit spent" in result.detail
    assert not any(p.startswith(("/docs1/document", "/docs1/search", "/p/print")) for p in seen)
    assert seen[-1] == "/docs1/logout"  # the session was still closed


def test_many_scrapes_consume_nothing(site):
    """Dozens of sessions of every kind: not a unit spent, the counters untouched (no simulated use)."""
    before = site.state()
    for _ in range(10):
        for login in ("acme", "beta", "gamma"):
            assert run(scrape_billing(site.target(login))).ok
            assert run(scrape_searches(site.target(login), date.today())).ok
    for fault in ("wrong_password", "page_changed", "redirect_loop"):
        site.fault(fault)
        assert not run(scrape_billing(site.target())).ok
        site.fault(fault, False)
    after = site.state()
    assert after["billable_hits"] == 0
    for login, account in after["accounts"].items():
        assert account["consumed_by_http"] == {"documents": 0, "search": 0, "print": 0, "export": 0}, login
        assert account["counters"] == before["accounts"][login]["counters"], login
    assert after["requests"] > 60 * 3
