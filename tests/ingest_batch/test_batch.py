"""A closed network's backlog: 500 reports, shuffled, one corrupt, uploaded at once (issue: agents, Done when)."""
import io
import json
import random
import zipfile
from datetime import datetime, timedelta, timezone
from io import StringIO

import pytest
from django.core.management import call_command

from smart.ingest import batch
from smart.ingest.models import Report
from smart.registry.models import Client, Installation
from smart.simulator.fleet import Fleet

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def fleet():
    return Fleet(seed=11, installations=1, start=(NOW - timedelta(days=60)).date(), now=NOW)


@pytest.fixture
def zavod(dealer, fleet):
    client = Client.objects.create(dealer=dealer, slug="ZAVOD", display_name="Завод", closed_network=True)
    return Installation.objects.create(dealer=dealer, client=client, kind="pushed", name=fleet.name(0))


def backlog(fleet, folder, sysinfo=12, status=487):
    """Timestamped copies as the generated scripts keep them, plus one corrupt (truncated) zip."""
    name = fleet.name(0)
    start = NOW - timedelta(days=6)
    for k in range(sysinfo):
        t = start + timedelta(hours=10 * k)
        (folder / f"{name}-{t:%Y%m%dT%H%M%SZ}.zip").write_bytes(fleet.sysinfo_zip(0, t))
    for k in range(status):
        t = start + timedelta(minutes=15 * k)
        (folder / f"{name}-{t:%Y%m%dT%H%M%SZ}.status").write_bytes(fleet.status_at(0, t))
    good = fleet.sysinfo_zip(0, start + timedelta(hours=1))
    (folder / f"{name}-corrupt.zip").write_bytes(good[: len(good) // 2])


def test_500_shuffled_reports_with_one_corrupt_file(dealer, zavod, fleet, tmp_path):
    backlog(fleet, tmp_path)
    files = sorted(tmp_path.iterdir())
    assert len(files) == 500
    random.Random(3).shuffle(files)
    container = tmp_path.parent / "backlog.zip"
    with zipfile.ZipFile(container, "w") as zf:
        for f in files:
            zf.write(f, f.name)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("upload-batch", "--dealer", dealer.code, "--name", zavod.name, str(container), "--process",
                     "--json", stdout=out)
    assert exit_.value.code == 1  # one file failed, and the command says so
    result = json.loads(out.getvalue())
    assert len(result["files"]) == 500
    by_source = {f["source"].split("/", 1)[1]: f for f in result["files"]}
    corrupt = by_source[f"{zavod.name}-corrupt.zip"]
    assert corrupt["code"] in ("ok", "unknown_content") and corrupt["status"] not in ("ok", "no_new_data"), corrupt
    others = [f for k, f in by_source.items() if k != f"{zavod.name}-corrupt.zip"]
    assert all(f["code"] in ("ok", "no_new_data") for f in others), [f for f in others if f["code"] != "ok"][:3]
    assert all(f["status"] in ("ok", "no_new_data") for f in others if f["code"] == "ok")
    # the history is back-filled in its own past, whatever the upload order
    reports = Report.objects.filter(installation=zavod, status="ok")
    assert reports.filter(channel="manual").count() == reports.count() >= 490
    times = sorted(reports.values_list("report_time", flat=True))
    assert times[0] < NOW - timedelta(days=5) and times[-1] > NOW - timedelta(days=2)
    from smart.metrics.models import InstallationState
    state = InstallationState.objects.get(installation=zavod)
    newest_sysinfo = max(reports.filter(stream="sysinfo").values_list("report_time", flat=True))
    assert state.report_time == newest_sysinfo  # the newest report wins, not the last uploaded


def test_folder_and_per_file_results(dealer, zavod, fleet, tmp_path):
    name = fleet.name(0)
    (tmp_path / f"{name}-a.status").write_bytes(fleet.status_at(0, NOW - timedelta(hours=2)))
    (tmp_path / "notes.txt").write_bytes(b"carried out on 2026-02-01")
    (tmp_path / f"{name}-b.zip").write_bytes(b"<html><body>503 Service Unavailable</body></html>")
    items = list(batch.sources([tmp_path]))
    result = batch.upload(dealer, name, items)
    codes = {f.source: f.code for f in result.files}
    assert codes[f"{name}-a.status"] == "ok"
    assert codes["notes.txt"] == "unsupported_extension"
    assert codes[f"{name}-b.zip"] == "collector_error_page"  # seen by the dealer, not a report


def test_a_sysinfo_zip_is_not_taken_for_a_container(fleet):
    assert not batch.is_container(fleet.sysinfo_zip(0, NOW))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("X-1.status", fleet.status_at(0, NOW))
        zf.writestr("X-2.zip", fleet.sysinfo_zip(0, NOW))
    assert batch.is_container(buf.getvalue())
