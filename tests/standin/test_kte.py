"""K/TE stand-in: pages, sessions and seats, /sysmon, sysinfo, every fault (over real sockets)."""
import socket
import time
from datetime import datetime, timezone

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from smart.formats import parse_report
from smart.simulator.fleet.status import METRIC_NAMES
from smart.simulator.standin import StandinHost

UTC = timezone.utc


def login(base: str, user: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=5)
    response = client.post("/users/login", data={"login": user, "password": password})
    assert response.status_code == 302 and response.headers["location"] == "/docs"
    assert "KSESSION" in client.cookies
    return client


def metrics(base: str, password: str, user: str = "smartlogin") -> dict:
    response = httpx.get(f"{base}/sysmon/metrics", auth=(user, password), timeout=5)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):  # also proves the exposition is valid
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    found = [v for (n, lab), v in samples.items() if n == name and all(dict(lab).get(k) == x for k, x in labels.items())]
    assert len(found) == 1, (name, labels, found)
    return found[0]


def test_root_redirects_and_main_page(kte):
    _name, base, _password = kte
    response = httpx.get(base + "/")
    assert response.status_code == 302 and response.headers["location"] == "/docs"
    response = httpx.get(base + "/docs")
    assert response.status_code == 200 and '<div id="kodeks-main">' in response.text
    assert httpx.get(base + "/no/such/page").status_code == 404


@pytest.mark.parametrize("fault, status, marker", [
    ("need_support", 200, '<div class="kodeks-service-message">Требуется обслуживание сервера: '),
    ("maintenance", 503, "Сервер на обслуживании"),
    ("server_error", 500, "Внутренняя ошибка сервера"),
])
def test_docs_states(kte, control, fault, status, marker):
    name, base, _password = kte
    state = control.fault("kte", name, fault)
    assert state["faults"] == {fault: True}
    response = httpx.get(base + "/docs")
    assert response.status_code == status and marker in response.text
    control.fault("kte", name, fault, False)
    assert '<div id="kodeks-main">' in httpx.get(base + "/docs").text


def test_login_takes_no_seat_docs_does(kte, control):
    name, base, password = kte
    before = control.get("kte", name)
    assert before["seats_used"] == 0 and before["seat_holders"] == []
    client = login(base, "user1", "user1")
    state = control.get("kte", name)
    assert state["seats_used"] == 0 and state["logins"] == before["logins"] + 1
    assert client.get("/docs").status_code == 200
    assert client.get("/docs").status_code == 200  # the same user keeps one seat
    state = control.get("kte", name)
    assert state["seats_used"] == 1 and state["seat_holders"] == ["user1"]
    smart = login(base, "smartlogin", password)
    assert smart.get("/admin/state").status_code == 200  # the service page takes no seat either
    assert control.get("kte", name)["seats_used"] == 1
    assert client.get("/users/logout").headers["location"] == "/users/login"
    assert control.get("kte", name)["seats_used"] == 1  # K/TE holds the seat for 24 h


def test_wrong_login_page(kte):
    _name, base, password = kte
    response = httpx.post(base + "/users/login", data={"login": "smartlogin", "password": password + "x"})
    assert response.status_code == 200
    assert '<div class="login-error">Неверное имя пользователя или пароль</div>' in response.text
    assert "set-cookie" not in response.headers


def test_seats_exhausted(kte, control):
    name, base, password = kte
    state = control.fault("kte", name, "seats_exhausted")
    assert state["seats_used"] == state["seats_total"]
    client = login(base, "user2", "user2")
    response = client.get("/docs")
    assert response.status_code == 200 and 'id="no-free-seats"' in response.text
    samples = metrics(base, password)
    assert value(samples, "kserver_seats_used") == value(samples, "kserver_seats_total") == state["seats_total"]
    control.fault("kte", name, "seats_exhausted", False)
    assert control.get("kte", name)["seats_used"] == 0


def test_admin_state_rights_and_faults(kte, control):
    name, base, password = kte
    response = httpx.get(base + "/admin/state")
    assert response.status_code == 302 and response.headers["location"] == "/users/login"
    user = login(base, "user3", "user3")
    response = user.get("/admin/state")
    assert response.status_code == 403 and "Недостаточно прав" in response.text
    smart = login(base, "smartlogin", password)
    page = smart.get("/admin/state").text
    total = control.get("kte", name)["seats_total"]
    assert '<td id="key-state">найден</td>' in page and '<td id="seats-used">0</td>' in page
    assert f'<td id="seats-total">{total}</td>' in page and '<div id="warnings"></div>' in page
    control.fault("kte", name, "key_lost")
    page = smart.get("/admin/state").text
    assert '<td id="key-state">не найден</td>' in page and "Ключ защиты не найден" in page


def test_sysmon_basic_auth(kte, control):
    name, base, password = kte
    response = httpx.get(base + "/sysmon/metrics")
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Basic")
    assert httpx.get(base + "/sysmon/metrics", auth=("smartlogin", "nope")).status_code == 401
    assert httpx.get(base + "/sysmon/metrics", auth=("user1", "user1")).status_code == 403
    control.fault("kte", name, "no_sysmon_right")
    assert httpx.get(base + "/sysmon/metrics", auth=("smartlogin", password)).status_code == 403
    control.post("kte", name, {"faults": {"no_sysmon_right": None, "smartlogin_rejected": True}})
    assert httpx.get(base + "/sysmon/metrics", auth=("smartlogin", password)).status_code == 401
    response = httpx.post(base + "/users/login", data={"login": "smartlogin", "password": password})
    assert response.status_code == 200 and "login-error" in response.text
    control.fault("kte", name, "smartlogin_rejected", 0)
    response = httpx.get(base + "/sysmon/metrics", auth=("smartlogin", password))
    assert response.status_code == 200
    datetime.strptime(response.headers["date"], "%a, %d %b %Y %H:%M:%S GMT")
    assert not response.text.startswith("date:")  # only the body: the date travels as the header


def test_sysmon_reference_metrics(host, kte):
    _name, base, password = kte
    samples = metrics(base, password)
    names = {n.removesuffix("_total") for n, _labels in samples}
    expected = {n.removesuffix("_total") for n in METRIC_NAMES}
    assert names <= expected
    assert expected - names <= {"kserver_db_errors"}  # no DB error series on a healthy server
    assert value(samples, "kserver_up") == 1 and value(samples, "kserver_maintenance") == 0
    server = host.kte(0)
    assert value(samples, "kserver_licman_up", host=f"127.0.0.1:{server.licman.port}") == 1


def test_sysmon_faults_applied(kte, control):
    name, base, password = kte
    control.post("kte", name, {"faults": {"maintenance": True}})
    assert value(metrics(base, password), "kserver_maintenance") == 1
    control.post("kte", name, {"faults": {"maintenance": False, "key_lost": True}})
    samples = metrics(base, password)
    assert value(samples, "kserver_key_present") == 0
    assert value(samples, "kserver_product_control", path="/docs") == 1
    control.post("kte", name, {"faults": {"key_lost": False, "seats_exhausted": True, "db_error": True,
                                          "need_support": True, "licman_down": True}})
    samples = metrics(base, password)
    assert value(samples, "kserver_seats_used") == value(samples, "kserver_seats_total")
    assert value(samples, "kserver_db_errors", code="2007") == 1
    assert value(samples, "kserver_need_support") == 1
    assert value(samples, "kserver_licman_up") == 0


def test_sysmon_404_on_old_server_and_legacy_metrics():
    probe = StandinHost(0, 0, control_port=None)
    now = probe.clock()
    old = next(i for i in range(200) if not probe.fleet.installation(i).has_sysmon(now))
    with StandinHost(0, 0, fleet=probe.fleet) as host:
        host.add_kte(index=old)
        server = host.kte(0)
        base = host.url(0)
        response = httpx.get(base + "/sysmon/metrics", auth=("smartlogin", server.password))
        assert response.status_code == 404
        response = httpx.get(base + "/sysinfo/metrics")  # legacy: no auth, two known series
        assert response.status_code == 200
        families = {f.name for f in text_string_to_metric_families(response.text)}
        assert families == {"kserver_main_page", "kserver_product_control"}


def test_sysinfo_zip_and_error_page(host, kte, control):
    name, base, password = kte
    form = {"type": "zip"}
    assert httpx.post(base + "/sysinfo/si_save_request", data=form).status_code == 302
    assert login(base, "user1", "user1").post("/sysinfo/si_save_request", data=form).status_code == 403
    smart = login(base, "smartlogin", password)
    response = smart.post("/sysinfo/si_save_request", data=form)
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert response.content[:2] == b"PK"
    inst = host.kte(0).installation
    parsed = parse_report(response.content, time_zone=inst.zone_name, received_at=datetime.now(UTC))
    assert parsed is not None
    control.fault("kte", name, "sysinfo_error_page")
    response = smart.post("/sysinfo/si_save_request", data=form)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "Ошибка" in response.text


def test_reverse_proxy(host, kte, control):
    name, _base, _password = kte
    proxy = f"http://127.0.0.1:{control.get('kte', name)['proxy_port']}"
    response = httpx.get(proxy + "/docs")
    assert response.status_code == 200 and '<div id="kodeks-main">' in response.text
    assert response.headers["server"] == "nginx"
    control.fault("kte", name, "proxy_down")
    response = httpx.get(proxy + "/docs")
    assert response.status_code == 502 and "<center>nginx</center>" in response.text
    control.post("kte", name, {"faults": {"proxy_down": False, "proxy_timeout": 0.3}})
    started = time.monotonic()
    response = httpx.get(proxy + "/docs")
    assert response.status_code == 504 and time.monotonic() - started >= 0.3
    control.post("kte", name, {"faults": {"proxy_timeout": False, "refused": True}})
    assert httpx.get(proxy + "/docs").status_code == 502  # the backend refuses
    control.fault("kte", name, "refused", False)
    assert httpx.get(proxy + "/docs").status_code == 200


def _tcp_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except ConnectionRefusedError:
        return False


def test_licence_manager_port(kte, control):
    name, _base, _password = kte
    port = control.get("kte", name)["licman_port"]
    assert _tcp_open(port)
    control.fault("kte", name, "licman_down")
    assert not _tcp_open(port)
    control.fault("kte", name, "licman_down", False)
    assert _tcp_open(port)


def test_refused_then_recovery_on_same_port(kte, control):
    name, base, _password = kte
    client = httpx.Client(base_url=base, timeout=5)
    assert client.get("/docs").status_code == 200  # a pooled keep-alive connection
    port = control.fault("kte", name, "refused")["port"]
    with pytest.raises(httpx.ConnectError):
        client.get("/docs")
    with pytest.raises(httpx.ConnectError):
        httpx.get(base + "/docs")
    assert control.fault("kte", name, "refused", False)["port"] == port
    assert client.get("/docs").status_code == 200
    assert httpx.get(f"http://127.0.0.1:{port}/docs").status_code == 200


def test_slow(kte, control):
    name, base, _password = kte
    assert control.fault("kte", name, "slow", 0.4)["faults"] == {"slow": 0.4}
    started = time.monotonic()
    assert httpx.get(base + "/docs").status_code == 200
    assert time.monotonic() - started >= 0.4
    assert control.fault("kte", name, "slow", 0)["faults"] == {}


def test_connect_and_read_timeouts(kte, control):
    name, base, _password = kte
    control.fault("kte", name, "connect_timeout")
    with pytest.raises(httpx.ConnectTimeout):
        httpx.get(base + "/docs", timeout=1)
    control.post("kte", name, {"faults": {"connect_timeout": False, "read_timeout": True}})
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(base + "/docs", timeout=1)
    control.fault("kte", name, "read_timeout", False)
    assert httpx.get(base + "/docs").status_code == 200


def test_python_api_sets_faults(host, kte):
    name, base, _password = kte
    assert host.set_fault(name, "maintenance")["faults"] == {"maintenance": True}
    assert httpx.get(base + "/docs").status_code == 503
    host.clear_faults(name)
    assert httpx.get(base + "/docs").status_code == 200
    assert host.state(name)["faults"] == {}
