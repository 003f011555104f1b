"""The fuzz harness and the throughput benchmark run and hold their line (small sizes, for speed)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_fuzz_harness_finds_nothing_in_a_short_run():
    result = _run("bench/fuzz_formats.py", "300", "--seed", "7")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "iterations/s" in result.stdout and "non-ParseFailure exceptions: 0" in result.stdout


def test_parser_speed_has_not_collapsed():
    # The 0.5 target is measured and reported by bench/parse_throughput.py; on a shared 2-core machine a
    # timed test at the target line flakes (0.48–0.55 under load), so the suite only guards against a
    # collapse: best of 5 interleaved runs on 1 MB, one of three attempts above 0.35 of bare lxml.
    outputs = []
    for _ in range(3):
        result = _run("bench/parse_throughput.py", "--mb", "1", "--repeat", "5", "--min-ratio", "0.35")
        if result.returncode == 0:
            return
        outputs.append(result.stdout + result.stderr)
    raise AssertionError("\n".join(outputs))
