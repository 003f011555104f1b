"""From "added in the registry" to "first report received" with only the generated bundle, the real curl,
the K/TE stand-in and a running SMART (issue: agents and integrations, Done when)."""
import os
import json
import shutil
import subprocess

import pytest

from smart.agent.bundle import render_files, write_dir
from smart.agent.service import prepare
from smart.ingest.models import Report
from smart.pipeline.worker import drain

pytestmark = pytest.mark.skipif(shutil.which("curl") is None and os.environ.get("CI") != "true", reason="needs the curl binary")


def bundle(installation, smart, kte_host, tmp_path, **kw):
    server = kte_host.kte(0)
    agent, token = prepare(installation, smart_url=smart.url, kte_url=kte_host.url(0),
                           kte_password=kw.pop("password", server.password), **kw)
    write_dir(render_files(agent, "linux"), tmp_path)
    return token


def run(tmp_path, script):
    return subprocess.run(["sh", str(tmp_path / script)], capture_output=True, timeout=120, text=True)


def log(tmp_path):
    return (tmp_path / "smartagent.log").read_text()


def test_first_sysinfo_and_status_arrive_through_the_installation_token(smart, kte_host, installation, tmp_path):
    token = bundle(installation, smart, kte_host, tmp_path)
    assert (tmp_path / "smart.cfg").stat().st_mode & 0o777 == 0o600
    done = run(tmp_path, "smartupload.sh")
    assert done.returncode == 0, (done.stderr, log(tmp_path))
    report = Report.objects.get(installation=installation, stream="sysinfo")
    assert report.channel == "api" and report.kind == "zip"
    assert "uploaded ZAVOD.zip" in log(tmp_path)
    # the upload was made with the installation's own token, which SMART recorded with the attempt
    from smart.ingest.models import UploadAttempt
    assert UploadAttempt.objects.filter(token=token, code="ok").count() == 1

    done = run(tmp_path, "smartstatus.sh")
    assert done.returncode == 0, (done.stderr, log(tmp_path))
    status = Report.objects.get(installation=installation, stream="status")
    assert status.kind == "status"
    drain()
    from smart.metrics.models import InstallationState, StatusSample
    state = InstallationState.objects.get(installation=installation)
    assert state.report_time is not None and state.version
    sample = StatusSample.objects.filter(installation=installation).latest("observed_at")
    assert sample.up == 1
    # a seat was never taken: the script did not follow the sign-in redirect to /docs
    state = kte_host.kte(0).state()
    assert state["logins"] >= 1 and "smartlogin" not in state["seat_holders"]


def test_unreachable_kte_is_reported_not_silent(smart, kte_host, installation, tmp_path):
    bundle(installation, smart, kte_host, tmp_path)
    port = kte_host.kte(0).port
    kte_host.stop()  # nothing listens on the port any more: connection refused
    done = run(tmp_path, "smartupload.sh")
    assert done.returncode == 1
    assert f"K/TE at http://127.0.0.1:{port} is unreachable" in log(tmp_path)
    report = Report.objects.get(installation=installation)
    assert report.stream == "status"  # a status file saying "unreachable", not a stale sysinfo
    drain()
    from smart.metrics.models import StatusSample
    assert StatusSample.objects.get(installation=installation).up == 0
    assert not list((tmp_path / "reports").glob("*.zip"))


def test_refused_fetch_is_never_uploaded(smart, kte_host, installation, tmp_path):
    bundle(installation, smart, kte_host, tmp_path, password="wrong-password")
    (tmp_path / "reports").mkdir()
    (tmp_path / "sysinfo.part").write_bytes(b"previous run's leftover")
    done = run(tmp_path, "smartupload.sh")
    assert done.returncode == 1
    assert "K/TE refused the sign-in request (HTTP 200 instead of 302 303" in log(tmp_path)
    assert not Report.objects.exists()
    assert not (tmp_path / "sysinfo.part").exists() and not list((tmp_path / "reports").glob("*.zip"))


def test_closed_network_keeps_the_newest_n_reports_and_sends_nothing(smart, kte_host, installation, tmp_path):
    installation.client.closed_network = True
    installation.client.save()
    bundle(installation, smart, kte_host, tmp_path, keep=2)
    for second in range(3):
        done = run(tmp_path, "smartstatus.sh")
        assert done.returncode == 0, done.stderr
        import time
        time.sleep(1.05)  # timestamped names have one-second resolution
    kept = sorted((tmp_path / "reports").glob("ZAVOD-*.status"))
    assert len(kept) == 2
    assert not Report.objects.exists()
    assert kept[-1].read_text().lower().startswith("date:")


def test_cli_writes_a_bundle(installation, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    out, stdout = tmp_path / "bundle", StringIO()
    call_command("agent-bundle", "--dealer", "0042", "--name", "zavod", "--os", "windows", "--out", str(out),
                 "--json", stdout=stdout)
    result = json.loads(stdout.getvalue())
    assert result["installation"] == "ZAVOD" and "task-smartupload.xml" in result["files"]
    assert (out / "smartupload.cmd").read_bytes().count(b"\r\n") > 10
    from smart.registry.models import IngestToken
    assert IngestToken.objects.filter(installation=installation, prefix=result["token_prefix"]).exists()
