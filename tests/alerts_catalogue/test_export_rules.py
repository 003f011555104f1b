import os
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from smart.alerts import catalogue


@pytest.fixture
def rules_file(tmp_path):
    out = tmp_path / "smart.rules.yml"
    call_command("export-rules", "--out", str(out), "--base-url", "https://smart.example.org/")
    return out


def test_every_alert_gets_a_rule_with_its_labels(rules_file):
    text = rules_file.read_text(encoding="utf-8")
    alerts = re.findall(r'^      - alert: "([A-Za-z0-9]+)"$', text, re.M)
    assert set(alerts) == set(catalogue.load())
    for label in ("priority", "legacy_priority", "importance", "category"):
        assert text.count(f"          {label}: ") == len(alerts)
    assert '"https://smart.example.org/runbooks/KodeksIcmp"' in text
    assert re.findall(r'^  - name: "smart\.([a-z_]+)"$', text, re.M) == list(
        dict.fromkeys(rule.category for rule in catalogue.load().values()))


def test_for_comes_from_for_s(rules_file):
    text = rules_file.read_text(encoding="utf-8")
    block = text.split('- alert: "KodeksMaintenanceToLong"', 1)[1].split("- alert:", 1)[0]
    assert "        for: 3h\n" in block
    block = text.split('- alert: "KodeksTcpStatus"', 1)[1].split("- alert:", 1)[0]
    assert "        for: 3m\n" in block


def test_tiers_and_escalations_become_priority_variants(rules_file):
    text = rules_file.read_text(encoding="utf-8")
    blocks = text.split('- alert: "SmartXMLfileIsToOld"')[1:]
    assert sorted(re.search(r'priority: "(P\d)"', b).group(1) for b in blocks) == ["P1", "P2", "P3"]
    blocks = text.split('- alert: "KodeksDBerrorsCode2007"')[1:]
    assert sorted(re.search(r'priority: "(P\d)"', b).group(1) for b in blocks) == ["P1", "P2"]


def test_stdout_without_out(capsys):
    call_command("export-rules")
    assert capsys.readouterr().out.startswith("# Prometheus alerting rules")


def test_promtool_accepts_the_rules(rules_file):
    promtool = shutil.which("promtool")
    if promtool is None:
        if os.environ.get("CI") == "true":
            pytest.fail("promtool is required in CI (apt-get install prometheus)")
        pytest.skip("promtool not installed (apt-get install prometheus); CI runs this check")
    result = subprocess.run([promtool, "check", "rules", str(rules_file)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
