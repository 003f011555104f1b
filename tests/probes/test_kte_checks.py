"""Every probe against the K/TE stand-in over real sockets: each page state and each fault."""
import asyncio

import pytest

from smart.probes import checks, session
from smart.probes.models import Check

from .conftest import target_for


def by_check(results):
    return {r.check: r for r in results}


def probe(server, **kw):
    return by_check(asyncio.run(checks.main_page_checks(target_for(server, **kw), {})))


def test_a_healthy_server_passes_every_unauthenticated_check(kte):
    t = target_for(kte)
    tcp = asyncio.run(checks.tcp_check(t))
    icmp = asyncio.run(checks.icmp_check(t))
    page = probe(kte)
    assert tcp.ok and tcp.state == "ok" and tcp.latency_ms is not None
    assert icmp.ok
    assert page[Check.HTTP200].ok and page[Check.HTTP200].code == 200 and page[Check.HTTP200].state == "ok"
    assert page[Check.MAINTENANCE].ok and page[Check.PROXY].ok


def test_maintenance_is_a_503_with_the_maintenance_page(standin, kte):
    standin.set_fault(kte.name, "maintenance")
    page = probe(kte)
    assert not page[Check.HTTP200].ok and page[Check.HTTP200].code == 503
    assert page[Check.HTTP200].state == "maintenance"
    assert not page[Check.MAINTENANCE].ok
    assert page[Check.PROXY].ok  # K/TE's own maintenance page is not a proxy failure


def test_needs_servicing_banner_is_seen_with_its_text(standin, kte):
    standin.set_fault(kte.name, "need_support")
    page = probe(kte)
    assert page[Check.HTTP200].ok and page[Check.HTTP200].state == "need_support"
    assert "обслуживание" in page[Check.HTTP200].detail


def test_server_error(standin, kte):
    standin.set_fault(kte.name, "server_error")
    page = probe(kte)
    assert not page[Check.HTTP200].ok and page[Check.HTTP200].state == "server_error" and page[Check.HTTP200].code == 500


def test_connection_refused_then_recovered(standin, kte):
    standin.set_fault(kte.name, "refused")
    t = target_for(kte)
    tcp = asyncio.run(checks.tcp_check(t))
    page = probe(kte)
    assert not tcp.ok and tcp.state == "refused"
    assert not page[Check.HTTP200].ok and page[Check.HTTP200].state == "refused"
    standin.set_fault(kte.name, "refused", False)
    assert asyncio.run(checks.tcp_check(t)).ok


def test_slow_answers_time_out(standin, kte, monkeypatch):
    monkeypatch.setattr(checks, "HTTP_TIMEOUT", 0.5)
    standin.set_fault(kte.name, "slow", 2)
    page = probe(kte)
    assert not page[Check.HTTP200].ok and page[Check.HTTP200].state == "timeout"


def test_through_the_reverse_proxy(standin, kte):
    page = probe(kte, port=kte.proxy.port)
    assert page[Check.HTTP200].ok and page[Check.PROXY].ok
    standin.set_fault(kte.name, "proxy_down")
    page = probe(kte, port=kte.proxy.port)
    assert not page[Check.PROXY].ok and page[Check.PROXY].state == "proxy_error" and page[Check.PROXY].code == 502
    assert not page[Check.HTTP200].ok


def test_proxy_timeout_is_a_504(standin, kte):
    standin.set_fault(kte.name, "proxy_timeout")
    page = probe(kte, port=kte.proxy.port)
    assert not page[Check.PROXY].ok and page[Check.PROXY].code == 504


def test_proxy_with_the_backend_down(standin, kte):
    standin.set_fault(kte.name, "refused")
    page = probe(kte, port=kte.proxy.port)
    assert page[Check.PROXY].code == 502 and page[Check.PROXY].state == "proxy_error"


def test_dns_failure_tries_the_last_known_ip(kte):
    t = target_for(kte, host="kodeks-test.invalid")
    t.overridden = False
    results = by_check(asyncio.run(checks.main_page_checks(t, {"ip": "127.0.0.1"})))
    proxy = results[Check.PROXY]
    assert not proxy.ok and proxy.state == "dns_failed"
    assert "last known IP 127.0.0.1 answers HTTP 200" in proxy.detail
    unknown = by_check(asyncio.run(checks.main_page_checks(t, {})))[Check.PROXY]
    assert "no earlier IP known" in unknown.detail


def test_licence_manager_port(standin, kte):
    t = target_for(kte)
    results = by_check(asyncio.run(checks.licman_checks(t)))
    assert results[Check.LICMAN_TCP].ok and results[Check.LICMAN_ICMP].ok
    standin.set_fault(kte.name, "licman_down")
    results = by_check(asyncio.run(checks.licman_checks(t)))
    assert not results[Check.LICMAN_TCP].ok and results[Check.LICMAN_TCP].state == "refused"


# ---- signed in as smartlogin ---------------------------------------------------------------------------

def session_results(server, **kw):
    return by_check(asyncio.run(session.session_checks(target_for(server, **kw))))


def test_smartlogin_checks_pass(kte):
    r = session_results(kte)
    assert r[Check.AUTH].ok and r[Check.KEY].ok and r[Check.WARNING].ok and r[Check.LIMIT].ok
    assert r[Check.LIMIT].data["seats_total"] == kte.seats_total


def test_smartlogin_rejected_makes_key_warning_limit_unknown(standin, kte):
    standin.set_fault(kte.name, "smartlogin_rejected")
    r = session_results(kte)
    assert not r[Check.AUTH].ok and r[Check.AUTH].state == "rejected"
    assert all(not r[c].ok and r[c].state == "no_auth" for c in (Check.KEY, Check.WARNING, Check.LIMIT))


def test_no_smartlogin_password_is_not_configured(kte):
    r = session_results(kte, password="")
    assert r[Check.AUTH].state == "not_configured"


def test_key_lost(standin, kte):
    standin.set_fault(kte.name, "key_lost")
    r = session_results(kte)
    assert r[Check.AUTH].ok and not r[Check.KEY].ok and r[Check.KEY].state == "key_not_found"


def test_seats_exhausted(standin, kte):
    standin.set_fault(kte.name, "seats_exhausted")
    r = session_results(kte)
    assert not r[Check.LIMIT].ok and r[Check.LIMIT].state == "seats_exhausted"
    assert r[Check.LIMIT].data["seats_used"] == r[Check.LIMIT].data["seats_total"]


def test_servicing_warning_read_when_signed_in(standin, kte):
    standin.set_fault(kte.name, "need_support")
    r = session_results(kte)
    assert not r[Check.WARNING].ok and r[Check.WARNING].detail


def test_sign_in_during_maintenance(standin, kte):
    standin.set_fault(kte.name, "maintenance")
    r = session_results(kte)
    assert not r[Check.AUTH].ok and r[Check.AUTH].state == "maintenance" and r[Check.AUTH].code == 503


def test_the_session_refuses_paths_that_could_take_a_seat(kte):
    async def main():
        async with session.client(target_for(kte)) as c:
            with pytest.raises(session.SeatGuard):
                await c.get("/docs")
    before = kte.state()["requests"]
    asyncio.run(main())
    assert kte.state()["requests"] == before  # nothing reached the server


def test_authenticated_probes_take_no_seat(standin, kte):
    """D §3.3: seats in use before and after each authenticated probe are equal; an ordinary user's
    visit to /docs does take one (so this comparison can fail)."""
    import httpx

    t = target_for(kte)
    probes = [
        lambda: session.session_checks(t),
        lambda: session.pull_sysinfo(t),
        lambda: session.pull_status(t),
    ]
    for run in probes:
        before = standin.state(kte.name)["seats_used"]
        asyncio.run(run())
        after = standin.state(kte.name)
        assert after["seats_used"] == before and "smartlogin" not in after["seat_holders"]
    with httpx.Client(base_url=f"http://127.0.0.1:{kte.port}") as c:
        before = standin.state(kte.name)["seats_used"]
        c.post("/users/login", data={"login": "user1", "password": "user1"})
        c.get("/docs")
    assert standin.state(kte.name)["seats_used"] == before + 1


# ---- pulls ------------------------------------------------------------------------------------------

def test_pull_status_builds_the_status_file(kte):
    result, content = asyncio.run(session.pull_status(target_for(kte)))
    assert result.ok and content.startswith(b"date: ")
    assert b"kserver_seats_total" in content


def test_pull_status_without_the_metrics_right(standin, kte):
    standin.set_fault(kte.name, "no_sysmon_right")
    result, content = asyncio.run(session.pull_status(target_for(kte)))
    assert not result.ok and result.state == "no_sysmon_right" and result.code == 403 and content is None


def test_pull_sysinfo_downloads_the_zip(kte):
    result, content = asyncio.run(session.pull_sysinfo(target_for(kte)))
    assert result.ok and content[:2] == b"PK"


def test_pull_sysinfo_error_page_is_passed_on(standin, kte):
    standin.set_fault(kte.name, "sysinfo_error_page")
    result, content = asyncio.run(session.pull_sysinfo(target_for(kte)))
    assert result.ok and b"<html" in content.lower()  # the ingest decides (collector_error_page)
