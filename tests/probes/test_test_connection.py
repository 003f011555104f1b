"""`smart test-connection`: every check once, and the first missing step or right named exactly."""
import json
import socket

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


def run(dealer, name):
    from io import StringIO

    out = StringIO()
    code = 0
    try:
        call_command("test-connection", "--dealer", dealer.code, "--name", name, "--json", stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


@pytest.fixture
def installation(pulled, kte):
    pulled.port, pulled.smartlogin_password = kte.port, kte.password
    pulled.licman_address, pulled.licman_port = "127.0.0.1", kte.licman.port
    pulled.save()
    return pulled


def steps(report):
    return {s["step"]: s for s in report["steps"]}


def test_a_healthy_installation_passes_every_step(installation, dealer):
    code, report = run(dealer, installation.name)
    assert code == 0 and report["ok"] and report["failed_step"] is None, report
    assert list(steps(report)) == ["icmp", "tcp", "http", "smartlogin", "key", "seats", "warning", "sysmon", "sysinfo",
                                   "licman_tcp"]  # no licman ICMP: the registry says donotping
    assert "parses" in steps(report)["sysinfo"]["detail"]


@pytest.mark.parametrize("fault, step, state", [
    ("refused", "tcp", "refused"),
    ("smartlogin_rejected", "smartlogin", "rejected"),
    ("no_sysmon_right", "sysmon", "no_sysmon_right"),
    ("sysinfo_error_page", "sysinfo", "error_page"),
    ("key_lost", "key", "key_not_found"),
    ("seats_exhausted", "seats", "seats_exhausted"),
    ("maintenance", "http", "maintenance"),
    ("licman_down", "licman_tcp", "refused"),
])
def test_the_first_missing_step_is_named(installation, dealer, standin, kte, fault, step, state):
    standin.set_fault(kte.name, fault)
    code, report = run(dealer, installation.name)
    assert code == 1 and not report["ok"]
    assert report["failed_step"] == step, report
    assert steps(report)[step]["state"] == state
    assert report["message"]  # an instruction, not just a code


def test_no_route_to_a_closed_port(installation, dealer):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        installation.port = s.getsockname()[1]
    installation.save()
    code, report = run(dealer, installation.name)
    assert report["failed_step"] == "tcp" and "port is closed" in report["message"]


def test_a_name_that_does_not_resolve(installation, dealer):
    installation.address = "kodeks.invalid"
    installation.save()
    code, report = run(dealer, installation.name)
    assert code == 1 and report["failed_step"] == "dns"


def test_an_online_access(dealer, standin, pulled):
    from smart.registry.models import OnlineAccess

    online = standin.online(0)
    login, info = next(iter(standin.state(online.name)["accounts"].items()))
    OnlineAccess.objects.create(dealer=dealer, client=pulled.client, firm="Ромашка", login=login,
                                password=info["password"], host=f"127.0.0.1:{online.port}", folder=info["folder"],
                                scheme="http")
    code, report = run(dealer, login)
    assert code == 0 and report["kind"] == "online_access", report
    assert "documents" in steps(report)["billing"]["detail"]
    standin.set_fault(online.name, "wrong_password")
    code, report = run(dealer, login)
    assert code == 1 and report["failed_step"] == "billing"
    assert steps(report)["billing"]["state"] == "LoginPasswordError"
    standin.clear_faults(online.name)


def test_pushed_installations_are_explained(dealer, pulled):
    from django.core.management.base import CommandError

    from smart.registry.models import Installation

    Installation.objects.create(dealer=dealer, client=pulled.client, kind=Installation.Kind.PUSHED, name="ZAVOD")
    with pytest.raises(CommandError, match="pushes its reports"):
        call_command("test-connection", "--dealer", dealer.code, "--name", "zavod")
