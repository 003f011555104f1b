"""Processing capacity and storage: can one 2-core machine with PostgreSQL carry 10,000 installations?

    python bench/pipeline_capacity.py [--installations 20] [--days 2] [--database-url postgres://...]

Generates the simulated fleet's uploads (hourly sysinfo, 15-minute status) for a few installations over
a few days, accepts them through ingest, then runs the pipeline and measures the CPU it takes: ours
(this process) and PostgreSQL's (its backends). From the CPU per report it prints the cores that
10,000 installations at the documented cadence need (target <= 1 core), and from the tables' size the
storage per installation-year (target <= 50 MB).
"""
import argparse
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import setup_django  # noqa: E402

UTC = timezone.utc
FLEET = 10_000
SYSINFO_PER_S = FLEET / 3600
STATUS_PER_S = FLEET / 900


def postgres_cpu() -> float:
    total = 0.0
    for proc in psutil.process_iter(["name", "cpu_times"]):
        if proc.info["name"] and proc.info["name"].startswith("postgres") and proc.info["cpu_times"]:
            total += proc.info["cpu_times"].user + proc.info["cpu_times"].system
    return total


def drain_kind(kind: str) -> tuple[int, float, float, float]:
    """Process the pending jobs of one kind; returns (jobs, seconds, our CPU s, PostgreSQL CPU s)."""
    from smart.pipeline import queue
    from smart.pipeline.models import ProcessingJob
    from smart.pipeline.process import run_job

    other = ProcessingJob.objects.filter(state="pending").exclude(report__stream=kind)
    held = list(other.values_list("id", flat=True))
    other.update(state="done")  # park the other stream's jobs
    wall, cpu, pg = time.monotonic(), time.process_time(), postgres_cpu()
    done = 0
    while jobs := queue.claim("bench", limit=20):
        for job in jobs:
            run_job(job)
            done += 1
    result = (done, time.monotonic() - wall, time.process_time() - cpu, postgres_cpu() - pg)
    ProcessingJob.objects.filter(id__in=held).update(state="pending")
    return result


def table_bytes() -> dict[str, int]:
    """Bytes (table + indexes) of each SMART table that grows with reports."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
                "AND (c.relname LIKE 'metrics_%%' OR c.relname LIKE 'ingest_%%' OR c.relname LIKE 'pipeline_%%')"
            )
        else:
            cursor.execute("SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE 'metrics_%' OR name LIKE 'ingest_%' "
                           "OR name LIKE 'pipeline_%' GROUP BY name")
        return {name: int(size or 0) for name, size in cursor.fetchall()}


def per_year(sizes: dict[str, int], installations: int, days: float, archive_days: int) -> tuple[float, dict]:
    """Steady-state MB per installation-year: facts grow for a year; report envelopes (ingest) are kept
    only as long as the archive; finished jobs a day."""
    keep = {"ingest_": archive_days, "pipeline_": 1}
    scaled = {}
    for name, size in sizes.items():
        horizon = next((d for prefix, d in keep.items() if name.startswith(prefix)), 365)
        scaled[name] = size / installations / days * min(horizon, 365) / 2**20
    return sum(scaled.values()), scaled


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--installations", type=int, default=20)
    parser.add_argument("--days", type=float, default=2)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="'' for embedded SQLite")
    args = parser.parse_args()
    setup_django(args.database_url, "smart_capacity")
    from django.db import connection

    from smart.ingest import service
    from smart.registry.models import Client, Dealer, Installation
    from smart.simulator.fleet import Fleet

    end = datetime(2026, 11, 26, 12, tzinfo=UTC)
    fleet = Fleet(seed=7, installations=args.installations, start=(end - timedelta(days=400)).date())
    dealer = Dealer.objects.create(code="CAPA", name="capacity")
    for i in range(args.installations):
        inst = fleet.installation(i)
        client = Client.objects.create(dealer=dealer, slug=fleet.name(i), display_name=fleet.name(i))
        Installation.objects.create(dealer=dealer, client=client, kind="pushed", name=fleet.name(i),
                                    time_zone=inst.zone_name)
    before = table_bytes()  # empty tables: what they weigh before any report
    t = time.monotonic()
    counts = {"sysinfo": 0, "status": 0}
    sizes = {"sysinfo": 0, "status": 0}
    for i in range(args.installations):
        for _, kind, file_name, data in fleet.history(i, end - timedelta(days=args.days), end):
            service.accept_internal(dealer, file_name, data)
            counts[kind] += 1
            sizes[kind] += len(data)
    ingest_s = time.monotonic() - t
    results = {kind: drain_kind(kind) for kind in ("sysinfo", "status")}
    after = table_bytes()
    print(f"pipeline capacity on {connection.vendor}: {args.installations} simulated installations × {args.days:g} days "
          f"({counts['sysinfo']} sysinfo, avg {sizes['sysinfo'] / max(1, counts['sysinfo']) / 1024:.0f} KB zipped; "
          f"{counts['status']} status files; accepted in {ingest_s:.0f} s)")
    need = 0.0
    for kind, rate in (("sysinfo", SYSINFO_PER_S), ("status", STATUS_PER_S)):
        done, wall, ours, pg = results[kind]
        per = (ours + pg) / max(1, done)
        need += per * rate
        print(f"  {kind:<8} {done:6d} reports in {wall:6.1f} s = {done / wall:6.1f}/s; CPU per report "
              f"{ours / max(1, done) * 1000:6.1f} ms ours + {pg / max(1, done) * 1000:5.1f} ms PostgreSQL")
    print(f"  10,000 installations ({SYSINFO_PER_S:.2f} sysinfo/s + {STATUS_PER_S:.2f} status/s) need "
          f"{need:.2f} cores of processing (target <= 1)")
    from django.conf import settings

    grown = {name: size - before.get(name, 0) for name, size in after.items()}
    total, scaled = per_year(grown, args.installations, args.days, settings.SMART_ARCHIVE_RETENTION_DAYS)
    print(f"  storage: {sum(grown.values()) / 2**20:.1f} MB for {args.installations * args.days:g} installation-days; "
          f"steady state {total:.0f} MB per installation-year (target <= 50), of which:")
    for name, mb in sorted(scaled.items(), key=lambda kv: -kv[1])[:8]:
        print(f"    {name:<32} {mb:6.1f} MB")


if __name__ == "__main__":
    main()
