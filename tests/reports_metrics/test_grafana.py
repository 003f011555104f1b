"""Grafana dashboards: every expression is valid PromQL (promtool), names exported series only, and each
series it names is in a real exposition."""
import os
import json
import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command

from smart.reports.exposition import METRICS
from smart.reports.grafana import DEFINITIONS, all_dashboards, metric_names


def test_every_expression_names_catalogued_series():
    for d in DEFINITIONS["dashboards"]:
        for p in d["panels"]:
            names = metric_names(p["expr"])
            assert names and names <= set(METRICS), (d["uid"], p["title"], names - set(METRICS))


@pytest.mark.skipif(shutil.which("promtool") is None and os.environ.get("CI") != "true", reason="promtool (Debian package prometheus) is not installed")
def test_promtool_parses_every_expression(tmp_path):
    rules = ["groups:", "- name: grafana", "  rules:"]
    for d in DEFINITIONS["dashboards"]:
        for i, p in enumerate(d["panels"]):
            expr = p["expr"].replace("$dealer", ".*").replace("$installation", ".*")
            rules += [f"  - record: grafana:{d['uid'].replace('-', '_')}:{i}", f"    expr: {json.dumps(expr)}"]
    (tmp_path / "rules.yml").write_text("\n".join(rules) + "\n")
    done = subprocess.run(["promtool", "check", "rules", str(tmp_path / "rules.yml")], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_every_series_a_dashboard_uses_is_in_a_real_exposition(client, dealer, fleet):
    from smart.reports.models import MetricsToken

    _, plain = MetricsToken.issue(dealer)
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {plain}").content.decode()
    emitted = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")}
    used = set().union(*(metric_names(p["expr"]) for d in DEFINITIONS["dashboards"] for p in d["panels"]))
    assert used <= emitted, used - emitted


def test_export_command_writes_importable_json(tmp_path):
    out = StringIO()
    call_command("export-grafana", "--out", str(tmp_path), stdout=out)
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == len(DEFINITIONS["dashboards"])
    for f in files:
        d = json.loads(f.read_text())
        assert d["schemaVersion"] >= 36 and d["panels"]
        assert {v["name"] for v in d["templating"]["list"]} == {"datasource", "dealer", "installation"}
        for p in d["panels"]:
            assert p["targets"][0]["expr"] and p["datasource"]["uid"] == "${datasource}"
    assert sorted(d["uid"] for d in all_dashboards()) == [f.stem for f in files]
