"""Check "billing": the four counters as the stand-in holds them, and each documented error kind."""
import httpx
import pytest

from smart.probes.online import OnlineTarget, scrape_billing

from .conftest import FAST, run


def test_counters_equal_the_control_values(site):
    site.use("acme", documents=7, search=3, print=2, export=1)
    result = run(scrape_billing(site.target("acme")))
    assert result.ok, result.detail
    assert (result.check, result.state, result.code) == ("billing", "ok", 200)
    assert result.data == site.counters("acme")
    assert set(result.data) == {"documents", "search", "print", "export"}
    assert result.latency_ms > 0 and result.at.tzinfo is not None
    assert (result.online_access_id, result.dealer_id) == (1, 1)
    assert "documents" in result.detail


def test_each_account_reads_its_own_counters(site):
    for login in ("acme", "beta", "gamma"):
        result = run(scrape_billing(site.target(login)))
        assert result.ok and result.data == site.counters(login), login


def test_session_is_closed_after_the_scrape(site, standin):
    assert run(scrape_billing(site.target())).ok
    assert standin.online(site.name).sessions == {}  # logout ended it


def test_shared_client_keeps_sessions_apart(site):
    async def both():
        async with httpx.AsyncClient() as client:
            return [await scrape_billing(site.target(login), client=client) for login in ("acme", "gamma", "acme")]
    results = run(both())
    assert [r.data for r in results] == [site.counters("acme"), site.counters("gamma"), site.counters("acme")]


def test_wrong_password_fault(site):
    site.fault("wrong_password")
    result = run(scrape_billing(site.target()))
    assert not result.ok
    assert result.state == "LoginPasswordError"
    assert "Неверный логин или пароль" in result.detail and "pw-acme" not in result.detail


def test_wrong_password(site):
    result = run(scrape_billing(site.target(password="nope")))
    assert (result.ok, result.state, result.code) == (False, "LoginPasswordError", 200)


def test_connect_timeout(site):
    site.fault("connect_timeout")
    result = run(scrape_billing(site.target(), timeout=FAST))
    assert (result.ok, result.state, result.code) == (False, "ConnectionTimeout", 0)
    assert "0.5 s" in result.detail


def test_read_timeout(site):
    site.fault("read_timeout")
    result = run(scrape_billing(site.target(), timeout=FAST))
    assert (result.ok, result.state) == (False, "ReadTimeOut")
    assert "GET /docs1/login" in result.detail


def test_slow_site_hits_the_read_timeout(site):
    site.fault("slow", 1.5)
    result = run(scrape_billing(site.target(), timeout=FAST))
    assert result.state == "ReadTimeOut"


def test_server_error(site):
    site.fault("server_error")
    result = run(scrape_billing(site.target()))
    assert (result.ok, result.state, result.code) == (False, "OtherErrorCode400+", 500)
    assert "HTTP 500" in result.detail


def test_unknown_folder_is_a_404(site):
    result = run(scrape_billing(site.target(folder="nosuch")))
    assert (result.state, result.code) == ("OtherErrorCode400+", 404)
    assert "folder" in result.detail


def test_garbage(site):
    site.fault("garbage")
    result = run(scrape_billing(site.target()))
    assert (result.ok, result.state) == (False, "HTTPError")


def test_redirect_loop(site):
    site.fault("redirect_loop")
    result = run(scrape_billing(site.target()))
    assert (result.ok, result.state, result.code) == (False, "RequestException", 302)
    assert "redirect" in result.detail


def test_refused(site):
    site.fault("refused")
    result = run(scrape_billing(site.target()))
    assert (result.ok, result.state, result.code) == (False, "ConnectionError", 0)
    assert "refused" in result.detail


def test_dns_failure_is_a_connection_error():
    target = OnlineTarget(1, 1, "http://smart-test.invalid", "docs1", "acme", "pw", "smart-test.invalid")
    result = run(scrape_billing(target, timeout=(2, 2)))
    assert (result.ok, result.state) == (False, "ConnectionError")
    assert "resolve" in result.detail


def test_invalid_url_is_a_request_exception():
    target = OnlineTarget(1, 1, "ftp://127.0.0.1:1", "docs1", "acme", "pw", "127.0.0.1:1")
    result = run(scrape_billing(target))
    assert (result.ok, result.state) == (False, "RequestException")


def test_page_changed(site):
    site.fault("page_changed")
    result = run(scrape_billing(site.target()))
    assert (result.ok, result.state, result.code) == (False, "UnexpectedPage", 200)
    assert "billing_table" in result.detail and "online.json" in result.detail


def test_faults_cleared_the_site_answers_again(site):
    site.fault("server_error")
    assert not run(scrape_billing(site.target())).ok
    site.fault("server_error", False)
    assert run(scrape_billing(site.target())).ok


@pytest.mark.parametrize("fault", ["wrong_password", "server_error", "garbage", "redirect_loop", "page_changed"])
def test_detail_fits_a_sample_row(site, fault):
    site.fault(fault)
    result = run(scrape_billing(site.target()))
    assert not result.ok and 0 < len(result.detail) <= 300 and "\n" not in result.detail


def test_a_broken_selector_in_the_page_file_is_an_unexpected_page(site, monkeypatch):
    from smart.probes import online

    pages = dict(online.load("online"), xpaths=dict(online.load("online")["xpaths"], billing_table="//table[@id=$nope]"))
    monkeypatch.setattr(online, "load", lambda kind: pages)
    result = run(scrape_billing(site.target()))
    assert (result.ok, result.state) == (False, "UnexpectedPage")
    assert "online.json" in result.detail


def test_a_login_without_session_cookie_or_error_marker(monkeypatch, site):
    from smart.probes import online

    pages = dict(online.load("online"), session_cookie="OTHER")
    monkeypatch.setattr(online, "load", lambda kind: pages)
    result = run(scrape_billing(site.target()))
    assert (result.ok, result.state) == (False, "UnexpectedPage")
    assert "OTHER" in result.detail
