"""The control endpoint's JSON interface."""
import httpx


def test_whole_host_state(host, control):
    state = control.get()
    assert set(state) == {"kte", "online"}
    assert list(state["kte"]) == [host.kte(0).name, host.kte(1).name] and list(state["online"]) == ["online-1"]


def test_kte_state_keys(kte, control):
    name, _base, _password = kte
    state = control.get("kte", name)
    assert {"port", "proxy_port", "licman_port", "faults", "seats_used", "seats_total", "seat_holders", "logins",
            "requests"} <= set(state)


def test_online_state_keys(control):
    state = control.get("online", "online-1")
    assert {"port", "faults", "accounts"} <= set(state)
    for account in state["accounts"].values():
        assert set(account) >= {"folder", "counters", "consumed_by_http"}
        assert set(account["counters"]) == {"documents", "search", "print", "export"}
        assert all(set(c) == {"left", "limit"} for c in account["counters"].values())


def test_bad_requests(host, kte, control):
    name, _base, _password = kte
    url = host.control_url
    assert httpx.get(f"{url}/kte/NO-SUCH").status_code == 404
    assert httpx.get(f"{url}/printer/{name}").status_code == 404
    assert httpx.post(f"{url}/kte/{name}", content=b"{not json").status_code == 400
    response = httpx.post(f"{url}/kte/{name}", json={"faults": {"on_fire": True}})
    assert response.status_code == 400 and "on_fire" in response.json()["error"]
    assert httpx.post(f"{url}/kte/{name}", json={"now": "2026-01-01T00:00:00Z"}).status_code == 400
    assert httpx.post(f"{url}/online/online-1", json={"use": {"login": "nobody", "documents": 1}}).status_code == 400
    assert httpx.post(f"{url}/online/online-1", json={"now": "not a date"}).status_code == 400
    # a rejected payload changes nothing
    assert control.get("kte", name)["faults"] == {}


def test_several_faults_at_once_and_clearing(kte, control):
    name, _base, _password = kte
    state = control.post("kte", name, {"faults": {"maintenance": True, "slow": 2.5, "need_support": "on"}})
    assert state["faults"] == {"maintenance": True, "slow": 2.5, "need_support": True}
    state = control.post("kte", name, {"faults": {"maintenance": False, "slow": 0, "need_support": None}})
    assert state["faults"] == {}
