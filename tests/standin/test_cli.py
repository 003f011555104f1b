"""`smart standin serve | fault | state`."""
import io
import json
import os
import re
import signal
import subprocess
import sys

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def run(*args) -> str:
    out = io.StringIO()
    call_command("standin", *args, stdout=out)
    return out.getvalue()


def test_fault_and_state_commands(host, kte):
    name, base, _password = kte
    url = host.control_url
    out = run("fault", name, "maintenance", "on", "--control", url)
    assert "maintenance" in out and httpx.get(base + "/docs").status_code == 503
    out = run("fault", name, "slow", "0.2", "--control", url)
    assert "slow=0.2" in out
    run("fault", name, "maintenance", "off", "--control", url)
    assert host.state(name)["faults"] == {"slow": 0.2}
    run("fault", "online-1", "server_error", "--control", url)
    assert host.state("online-1")["faults"] == {"server_error": True}
    state = json.loads(run("state", name, "--json", "--control", url))
    assert state["kte"][name]["faults"] == {"slow": 0.2}
    text = run("state", "--control", url)
    assert name in text and "online-1" in text and "server_error" in text
    with pytest.raises(CommandError):
        run("fault", name, "on_fire", "--control", url)
    with pytest.raises(CommandError):
        run("fault", "NO-SUCH", "maintenance", "--control", url)


def test_serve_until_interrupted(tmp_path):
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'smart.settings'); django.setup();"
            "from django.core.management import call_command;"
            "call_command('standin', 'serve', '--kte', '3', '--online', '1', '--control-port', '0', '--proxy')")
    env = {**os.environ, "SMART_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("control:"):
                break
        table = "".join(lines)
        assert "ZAVOD-ZVEZDA" in table and "online-1" in table, table
        url = re.search(r"control: (\S+)", table).group(1)
        state = httpx.get(url, timeout=5).json()
        assert len(state["kte"]) == 3 and len(state["online"]) == 1
        port = state["kte"]["ZAVOD-ZVEZDA"]["port"]
        assert httpx.get(f"http://127.0.0.1:{port}/docs").status_code == 200
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=20)[0]
        assert "stand-ins stopped" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
