"""The exact curl command lines of D §3.2 (F2, F3, F5), with the real curl binary, against a live server."""
import json
import subprocess

from smart.ingest.models import Report

from .conftest import attempts
from .samples import STATUS, sysinfo_zip


def curl(*args, cwd):
    done = subprocess.run(["curl", "-sS", *args], cwd=cwd, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode()


def test_f2_upload_sysinfo_zip(smart, registry, tmp_path):
    (tmp_path / "ROGA.zip").write_bytes(sysinfo_zip())
    out = curl(
        "-H", "upload: yes", "-H", "dealer: 0042kodeks", "-F", "file=@ROGA.zip",
        f"{smart.url}/upload?token=legacy-token-0042", cwd=tmp_path,
    )
    assert out == '{"ok":true,"path":"/files/ROGA.zip"}'
    report = Report.objects.get()
    assert (report.installation, report.kind, report.status, report.channel) == (registry["roga"], "zip", "queued", "legacy")
    assert report.jobs.get().state == "pending"
    [attempt] = attempts()
    assert (attempt.http_status, attempt.code, attempt.sha256) == (200, "ok", report.sha256)
    assert attempt.user_agent.startswith("curl/")


def test_f3_head_check_finds_uploaded_and_not_other_names(smart, registry, tmp_path):
    (tmp_path / "ROGA.xml").write_bytes(b'<?xml version="1.0"?><sysinfo/>')
    curl("-H", "upload: yes", "-H", "dealer: 0042kodeks", "-F", "file=@ROGA.xml",
         f"{smart.url}/upload?token=legacy-token-0042", cwd=tmp_path)
    found = curl("-I", "-H", "upload: yes", "-H", "dealer: 0042kodeks",
                 f"{smart.url}/files/ROGA.xml?token=legacy-token-0042", cwd=tmp_path)
    assert found.startswith("HTTP/1.1 200")
    assert "x-smart-parse-status: queued" in found.lower()
    missing = curl("-I", "-H", "upload: yes", "-H", "dealer: 0042kodeks",
                   f"{smart.url}/files/OTHER.xml?token=legacy-token-0042", cwd=tmp_path)
    assert missing.startswith("HTTP/1.1 404")


def test_f5_upload_status_file(smart, registry, tmp_path):
    (tmp_path / "ROGA.status").write_bytes(STATUS)
    out = curl("-H", "upload: yes", "-H", "dealer: 0042kodeks", "-F", "file=@ROGA.status",
               f"{smart.url}/upload?token=legacy-token-0042", cwd=tmp_path)
    assert json.loads(out) == {"ok": True, "path": "/files/ROGA.status"}
    report = Report.objects.get()
    assert (report.kind, report.stream) == ("status", "status")


def test_curl_sends_expect_100_continue_for_large_bodies(smart, registry, tmp_path):
    big = sysinfo_zip() + b"\0" * (3 * 1024 * 1024)  # a zip with trailing padding, over curl's 1 MB threshold
    (tmp_path / "ROGA.zip").write_bytes(big)
    out = subprocess.run(
        ["curl", "-sS", "-v", "-H", "upload: yes", "-H", "dealer: 0042kodeks", "-F", "file=@ROGA.zip",
         f"{smart.url}/upload?token=legacy-token-0042"],
        cwd=tmp_path, capture_output=True, timeout=60,
    )
    assert b"Expect: 100-continue" in out.stderr
    assert b"HTTP/1.1 100 Continue" in out.stderr
    assert out.stdout == b'{"ok":true,"path":"/files/ROGA.zip"}'
    assert Report.objects.get().size == len(big)
