"""How long the demo back-fill takes: 13 months of thinned history for 30 installations.

    python bench/fleet_backfill.py [--installations 30] [--months 13] [--jobs 2] [--seed 1] [--write DIR]

Generates every upload of `Fleet.thin_history` (sysinfo hourly for the last week, every 6 h to 35 days,
daily before; .status every 15 min for two days, hourly to a week, every 6 h to 35 days), in --jobs
worker processes (one installation at a time each), and prints the wall time, the number and size of
the files per kind, and the cost of one report. Files are kept in memory only unless --write is given.
"""
import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smart.simulator.fleet import Fleet  # noqa: E402
from smart.simulator.fleet.files import stored_name  # noqa: E402

END = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


def one(args) -> dict:
    seed, size, i, months, write = args
    fleet = Fleet(seed=seed, installations=size, start=(END - timedelta(days=396)).date(), now=END)
    stats = {"sysinfo": [0, 0], "status": [0, 0], "errors": 0, "seconds": 0.0}
    started = time.perf_counter()
    for instant, kind, _name, data in fleet.thin_history(i, END, months=months):
        stats[kind][0] += 1
        stats[kind][1] += len(data)
        if kind == "sysinfo" and not data.startswith(b"PK"):
            stats["errors"] += 1
        if write:
            folder = Path(write) / fleet.name(i)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / stored_name(fleet.name(i), instant, kind)).write_bytes(data)
    stats["seconds"] = time.perf_counter() - started
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--installations", type=int, default=30)
    parser.add_argument("--months", type=float, default=13)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--write", help="also write the files under this folder")
    opts = parser.parse_args()
    started = time.perf_counter()
    tasks = [(opts.seed, opts.installations, i, opts.months, opts.write) for i in range(opts.installations)]
    if opts.jobs > 1:
        with ProcessPoolExecutor(max_workers=opts.jobs) as pool:
            results = list(pool.map(one, tasks))
    else:
        results = [one(t) for t in tasks]
    wall = time.perf_counter() - started
    total = {k: [sum(r[k][0] for r in results), sum(r[k][1] for r in results)] for k in ("sysinfo", "status")}
    cpu = sum(r["seconds"] for r in results)
    files = total["sysinfo"][0] + total["status"][0]
    print(f"fleet back-fill: {opts.installations} installations, {opts.months:g} months thinned, {opts.jobs} job(s)")
    print(f"  wall time        {wall:8.1f} s   (generation CPU {cpu:.1f} s)")
    for kind in ("sysinfo", "status"):
        count, size = total[kind]
        print(f"  {kind:8} files   {count:8d}   {size / 1e6:8.1f} MB   avg {size / max(1, count) / 1e3:6.1f} KB")
    print(f"  503 pages as sysinfo {sum(r['errors'] for r in results)}")
    print(f"  per file         {1000 * cpu / max(1, files):8.2f} ms CPU   ({files / wall:.0f} files/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
