"""The PostgreSQL pass of tests/run keeps every test that opens the database and only those."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_database_only_pass_keeps_the_database_tests():
    env = dict(os.environ, SMART_TEST_DATABASE_ONLY="1")
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-o", "addopts=", "-q", "-p", "no:cacheprovider",
                          "tests/probes_online/test_store.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120).stdout
    assert "test_store.py::test_runs_on_the_configured_database" in out, out
    assert "test_store.py::test_fingerprint_is_md5_of_the_natural_key" not in out, out
    assert "deselected" in out, out
