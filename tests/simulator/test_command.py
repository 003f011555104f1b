"""`smart simulate fleet`: files per installation, managers.csv the registry accepts, upload.sh."""
import io
import json
import zipfile
from datetime import datetime, timezone

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smart.formats import parse_report
from smart.simulator import demo

END = "2026-11-26T10:00:00Z"


def _run(tmp_path, *extra):
    out = tmp_path / "fleet"
    call_command("simulate", "fleet", "--installations", "3", "--days", "0.25", "--out", str(out), "--end", END,
                 "--seed", "5", "--jobs", "1", *extra, stdout=io.StringIO())
    return out


def test_command_writes_files_per_installation(tmp_path):
    out = _run(tmp_path)
    names = demo.PUSHED[:3]
    assert sorted(p.name for p in out.iterdir()) == sorted([*names, "managers.csv", "upload.sh"])
    files = sorted((out / names[0]).iterdir())
    assert files and all(p.name.startswith(f"{names[0]}-20261126T") for p in files)
    zips = [p for p in files if p.suffix == ".zip"]
    assert zips and all(p.suffix in (".zip", ".status") for p in files)
    report = parse_report(zips[0].read_bytes(), time_zone="Europe/Moscow", received_at=datetime.now(timezone.utc))
    assert report.kind == "sysinfo" and report.sysinfo.header.legal_name


def test_upload_script_copies_to_the_plain_name(tmp_path):
    out = _run(tmp_path)
    script = (out / "upload.sh").read_text()
    assert 'curl -sS -o /dev/null -w "%{http_code}" -H "upload: yes" -H "dealer: $DEALER"' in script
    assert '-F "file=@$tmp/$2" "$URL/upload?token=$TOKEN"' in script
    ups = [line.split() for line in script.splitlines() if line.startswith("up ")]
    stored = {str(p.relative_to(out)) for p in out.rglob("*") if p.parent != out}
    assert {u[1] for u in ups} == stored
    assert all(u[2] in (u[1].split("/")[0] + ".zip", u[1].split("/")[0] + ".status") for u in ups)


def test_same_arguments_give_identical_files(tmp_path):
    one = _run(tmp_path / "a")
    two = _run(tmp_path / "b")
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)


def test_bad_arguments(tmp_path):
    with pytest.raises(CommandError):
        _run(tmp_path, "--status-every", "7")
    with pytest.raises(CommandError):
        call_command("simulate", "fleet", "--out", str(tmp_path), "--end", "yesterday", stdout=io.StringIO())


def test_managers_csv_is_accepted_by_import_registry(tmp_path, dealer):
    from smart.registry.models import Role, User

    out = _run(tmp_path)
    rows = (out / "managers.csv").read_text().splitlines()
    assert len(rows) == 3 and all(len(r.split(",")) == 11 for r in rows)
    for login in {r.split(",")[1] for r in rows}:
        email = next(m[2] for m in demo.MANAGERS if m[0] == login)
        User.objects.create(username=login, email=email, dealer=dealer, role=Role.MANAGER)
    stdout = io.StringIO()
    call_command("import-registry", "--dealer", dealer.code, str(out / "managers.csv"), "--dry-run", "--json",
                 stdout=stdout)
    result = json.loads(stdout.getvalue())
    assert result["errors"] == [] and [a["name"] for a in result["added"]] == demo.PUSHED[:3]


def test_zip_member_is_the_reference_sysinfo(tmp_path):
    out = _run(tmp_path)
    first = next(p for p in sorted((out / demo.PUSHED[0]).iterdir()) if p.suffix == ".zip")
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() in (["sysinfo.xml"], ["sysinfo.db"])


def test_upload_script_is_valid_shell(tmp_path):
    import subprocess

    out = _run(tmp_path)
    assert subprocess.run(["sh", "-n", str(out / "upload.sh")]).returncode == 0
