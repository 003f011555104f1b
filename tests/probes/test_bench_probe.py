"""The prober bench runs end to end in its quick mode (stand-ins, pinned prober, outage) and prints its figures."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_probe_bench_quick_run_prints_every_figure():
    result = subprocess.run([sys.executable, "bench/probe_throughput.py", "--quick", "--no-peer",
                             "--duration", "4", "--kte", "20"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    for line in ("achieved probes/min", "p99 / max scheduling delay", "CPU per probe", "failures",
                 "sustained probes/min (p99 <= 2 s, 0 failures)", "blackbox_exporter", "outage recorded after"):
        assert line in out, out
    assert "offered 5,000/min" in out and "offered 10,000/min" in out, out
    assert "skipped (--no-peer)" in out, out
