"""The PostgreSQL pass of tests/run keeps every test that exercises the database and only those."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def collected(*paths) -> str:
    env = dict(os.environ, SMART_TEST_DATABASE_ONLY="1")
    return subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-o", "addopts=", "-q", "-p",
                           "no:cacheprovider", *paths], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120).stdout


def test_database_only_pass_keeps_the_database_tests():
    out = collected("tests/probes_online/test_store.py", "tests/cabinet_framework/test_dashboard_browser.py",
                    "tests/cabinet_framework/test_views_dash.py")
    assert "test_store.py::test_runs_on_the_configured_database" in out, out
    assert "test_views_dash.py::" in out, out  # the panels' queries, through the Django test client
    assert "test_store.py::test_fingerprint_is_md5_of_the_natural_key" not in out, out  # never opens a database
    assert "test_dashboard_browser.py::" not in out, out  # Chromium: the SQLite pass drives it
    assert "deselected" in out, out
