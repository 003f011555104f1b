"""Online-access stand-in: login, profile counters, history, billable endpoints, month reset, faults."""
import time
from datetime import date, datetime, timedelta

import httpx
import pytest
from lxml import html as lxml_html

from smart.simulator.standin import StandinHost
from smart.simulator.standin.online import MOSCOW


@pytest.fixture
def online(host, control):
    """(name, base URL, login, password, folder) of the first account of the online host."""
    name = "online-1"
    state = control.get("online", name)
    login, account = next(iter(state["accounts"].items()))
    return name, host.url(0, "online"), login, account["password"], account["folder"]


def session(base: str, folder: str, login: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=5)
    response = client.post(f"/{folder}/login", data={"login": login, "password": password})
    assert response.status_code == 302 and response.headers["location"] == f"/{folder}/profile"
    assert "OSESSION" in client.cookies
    return client


def counters(page: str) -> dict:
    tree = lxml_html.fromstring(page)
    return {row.get("data-counter"): (int(row.xpath("td[@class='left']")[0].text),
                                      int(row.xpath("td[@class='limit']")[0].text))
            for row in tree.xpath("//table[@id='billing']//tr[@data-counter]")}


def test_login_form_and_wrong_password(online, control):
    name, base, login, password, folder = online
    page = httpx.get(f"{base}/{folder}/login").text
    tree = lxml_html.fromstring(page)
    assert {i.get("name") for i in tree.xpath("//form[@id='login-form']//input")} >= {"login", "password"}
    response = httpx.post(f"{base}/{folder}/login", data={"login": login, "password": password + "!"})
    assert response.status_code == 200
    assert '<div class="error" id="login-error">Неверный логин или пароль</div>' in response.text
    assert httpx.post(f"{base}/nosuchfolder/login", data={"login": login, "password": password}).status_code == 404
    control.fault("online", name, "wrong_password")
    response = httpx.post(f"{base}/{folder}/login", data={"login": login, "password": password})
    assert response.status_code == 200 and 'id="login-error"' in response.text
    control.fault("online", name, "wrong_password", False)
    session(base, folder, login, password)


def test_profile_counters_match_state(online, control):
    name, base, login, password, folder = online
    assert httpx.get(f"{base}/{folder}/profile").status_code == 302
    client = session(base, folder, login, password)
    shown = counters(client.get(f"/{folder}/profile").text)
    state = control.get("online", name)["accounts"][login]["counters"]
    assert set(shown) == {"documents", "search", "print", "export"}
    assert shown == {k: (c["left"], c["limit"]) for k, c in state.items()}
    control.post("online", name, {"use": {"login": login, "documents": 5, "print": 2}})
    after = counters(client.get(f"/{folder}/profile").text)
    assert after["documents"][0] == shown["documents"][0] - 5 and after["print"][0] == shown["print"][0] - 2
    assert client.get(f"/{folder}/logout").status_code == 302
    assert client.get(f"/{folder}/profile").status_code == 302


def test_history_rows(online, control):
    name, base, login, password, folder = online
    client = session(base, folder, login, password)
    today = datetime.now(MOSCOW).date()
    days = [today - timedelta(days=k) for k in range(1, 15)]
    rows = []
    for day in days:
        tree = lxml_html.fromstring(client.get(f"/{folder}/history", params={"date": day.isoformat()}).text)
        assert tree.xpath("//table[@id='search-history']")
        rows += tree.xpath("//table[@id='search-history']//tr[@class='query']")
    assert rows  # two weeks of a folder's searches are never empty
    for row in rows:
        stamp = datetime.strptime(row.xpath("td[@class='time']")[0].text, "%Y-%m-%d %H:%M:%S")
        assert stamp.date() in days
        assert row.xpath("td[@class='user']")[0].text and row.xpath("td[@class='text']")[0].text
        assert row.xpath("td[@class='type']")[0].text in ("интеллектуальный", "атрибутный")
        assert int(row.xpath("td[@class='found']")[0].text) >= 0
    assert any(int(r.xpath("td[@class='found']")[0].text) == 0 for r in rows) or len(rows) < 20
    # searches spent through the control endpoint show up in today's history
    before = len(lxml_html.fromstring(client.get(f"/{folder}/history").text).xpath("//tr[@class='query']"))
    control.post("online", name, {"use": {"login": login, "search": 3}})
    page = client.get(f"/{folder}/history", params={"date": today.isoformat()}).text
    assert len(lxml_html.fromstring(page).xpath("//tr[@class='query']")) == before + 3
    assert client.get(f"/{folder}/history", params={"date": "yesterday"}).status_code == 400


@pytest.mark.parametrize("path, kind", [("document/123", "documents"), ("search?q=НДС", "search"),
                                        ("print/123", "print"), ("export/123", "export")])
def test_billable_endpoints(online, control, path, kind):
    name, base, login, password, folder = online
    client = session(base, folder, login, password)
    before = control.get("online", name)
    assert client.get(f"/{folder}/{path}").status_code == 200
    after = control.get("online", name)
    account_before, account = before["accounts"][login], after["accounts"][login]
    assert account["counters"][kind]["left"] == account_before["counters"][kind]["left"] - 1
    assert account["consumed_by_http"][kind] == 1
    assert sum(account["consumed_by_http"].values()) == 1
    assert after["billable_hits"] == before["billable_hits"] + 1


def test_month_reset_on_the_first(online, control):
    name, base, login, password, folder = online
    state = control.post("online", name, {"now": "2026-11-30T12:00:00+03:00"})
    assert state["now"].startswith("2026-11-30T09:00")
    control.post("online", name, {"use": {"login": login, "documents": 7, "export": 1}})
    client = session(base, folder, login, password)
    before = counters(client.get(f"/{folder}/profile").text)
    assert before["documents"][0] < before["documents"][1]
    control.post("online", name, {"now": "2026-11-30T23:59:00+03:00"})
    assert counters(client.get(f"/{folder}/profile").text) == before
    control.post("online", name, {"now": "2026-12-01T00:00:30+03:00"})
    after = counters(client.get(f"/{folder}/profile").text)
    assert all(left == limit for left, limit in after.values())


def test_ticker_spends_units():
    with StandinHost(0, 1, use_interval=0.05) as host:
        start = host.state("online-1")["accounts"]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            now = host.state("online-1")["accounts"]
            if any(now[a]["counters"]["documents"]["left"] < start[a]["counters"]["documents"]["left"] for a in now):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the ticker spent nothing")
        assert all(sum(a["consumed_by_http"].values()) == 0 for a in now.values())


def test_connect_timeout(online, control):
    name, base, _login, _password, folder = online
    client = httpx.Client(timeout=1)
    assert client.get(f"{base}/{folder}/login").status_code == 200
    control.fault("online", name, "connect_timeout")
    with pytest.raises(httpx.ConnectTimeout):
        client.get(f"{base}/{folder}/login")
    with pytest.raises(httpx.ConnectTimeout):
        httpx.get(f"{base}/{folder}/login", timeout=1)
    control.fault("online", name, "connect_timeout", False)
    assert httpx.get(f"{base}/{folder}/login").status_code == 200


def test_read_timeout(online, control):
    name, base, _login, _password, folder = online
    control.fault("online", name, "read_timeout")
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{base}/{folder}/login", timeout=1)


def test_garbage(online, control):
    name, base, _login, _password, folder = online
    control.fault("online", name, "garbage")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{base}/{folder}/login", timeout=2)


def test_redirect_loop(online, control):
    name, base, _login, _password, folder = online
    control.fault("online", name, "redirect_loop")
    with pytest.raises(httpx.TooManyRedirects):
        httpx.get(f"{base}/{folder}/login", timeout=2, follow_redirects=True)


def test_server_error(online, control):
    name, base, _login, _password, folder = online
    control.fault("online", name, "server_error")
    assert httpx.get(f"{base}/{folder}/login").status_code == 500


def test_page_changed(online, control):
    name, base, login, password, folder = online
    client = session(base, folder, login, password)
    assert counters(client.get(f"/{folder}/profile").text)
    control.fault("online", name, "page_changed")
    page = client.get(f"/{folder}/profile")
    assert page.status_code == 200 and counters(page.text) == {} and 'id="billing"' not in page.text


def test_refused_then_recovery(online, control):
    name, base, _login, _password, folder = online
    port = control.fault("online", name, "refused")["port"]
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/{folder}/login")
    control.fault("online", name, "refused", False)
    assert httpx.get(f"http://127.0.0.1:{port}/{folder}/login").status_code == 200


def test_history_date_is_moscow(online):
    _name, base, login, password, folder = online
    client = session(base, folder, login, password)
    page = client.get(f"/{folder}/history", params={"date": date(2026, 1, 12).isoformat()}).text
    for cell in lxml_html.fromstring(page).xpath("//td[@class='time']"):
        assert cell.text.startswith("2026-01-12 ")
