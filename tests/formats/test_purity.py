"""smart.formats is pure Python: no Django, and no other smart app, may be imported by it."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """
import importlib, pkgutil, sys
import smart.formats
for info in pkgutil.walk_packages(smart.formats.__path__, "smart.formats."):
    importlib.import_module(info.name)
bad = sorted(m for m in sys.modules if m == "django" or m.startswith("django.")
             or (m.startswith("smart.") and not m.startswith("smart.formats")))
print(",".join(bad))
"""


def test_importing_every_formats_module_pulls_in_neither_django_nor_other_apps():
    result = subprocess.run([sys.executable, "-c", PROGRAM], cwd=ROOT, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
