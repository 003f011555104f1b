"""Dashboard query times over 90 days × N installations of hourly rollups (PostgreSQL by default).

    python bench/dashboard_queries.py [--installations 1000] [--days 90] [--database-url postgres://...]

Fills a fresh database with hourly rollups, searches, per-user month counters and latest states
(synthetic, bulk-inserted: this measures the queries, not processing), then runs each query function
of smart.metrics.queries repeatedly and prints p50/p95 per query. Target: <= 300 ms at p95.
"""
import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import percentile, setup_django  # noqa: E402

UTC = timezone.utc


def fill(n_inst: int, days: int, end: datetime):
    from django.db import connection

    from smart.metrics.models import HourlyRollup, InstallationState, SearchEvent, UserMonthCounters
    from smart.registry.models import Client, Dealer, Installation

    rng = random.Random(1)
    dealer = Dealer.objects.create(code="BNCH", name="bench")
    clients = Client.objects.bulk_create([Client(dealer=dealer, slug=f"C{i}", display_name=f"C{i}") for i in range(n_inst)])
    insts = Installation.objects.bulk_create(
        [Installation(dealer=dealer, client=c, kind="pushed", name=f"I{i}") for i, c in enumerate(clients)]
    )
    start = end - timedelta(days=days)
    hours = [start + timedelta(hours=h) for h in range(days * 24)]
    t0 = time.monotonic()
    if connection.vendor == "postgresql":  # generated in the database: minutes of ORM inserts become seconds
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO metrics_hourlyrollup (installation_id, hour, reports, seats_used_max, seats_used_sum, "
                "seats_total, searches, empty_searches, refusals, refusals_no_seats, db_requests, kassist_requests, "
                "documents_opened, documents_free, services, link_follows, saves, prints, counted_searches) "
                "SELECT i.id, h, 1, w * (random() * 40)::int, w * (random() * 40)::int, 50, w * (random() * 30)::int, "
                "w * (random() * 4)::int, 0, 0, w * (random() * 200)::int, 0, w * (random() * 50)::int, 0, 0, 0, "
                "w * (random() * 5)::int, w * (random() * 5)::int, 0 "
                "FROM registry_installation i, generate_series(%s::timestamptz, %s::timestamptz - interval '1 hour', "
                "interval '1 hour') AS h, LATERAL (SELECT CASE WHEN extract(isodow FROM h) < 6 AND "
                "extract(hour FROM h AT TIME ZONE 'Europe/Moscow') BETWEEN 9 AND 17 THEN 1 ELSE 0 END AS w) AS work",
                [start, end],
            )
    else:
        batch = []
        for inst in insts:
            seats = rng.randint(5, 100)
            for hour in hours:
                w = int(9 <= (hour.hour + 3) % 24 < 18 and hour.weekday() < 5)
                batch.append(HourlyRollup(
                    installation=inst, hour=hour, reports=1, seats_used_max=w * rng.randint(0, seats),
                    seats_used_sum=w * rng.randint(0, seats), seats_total=seats, searches=w * rng.randint(0, 30),
                    empty_searches=w * rng.randint(0, 4), db_requests=w * rng.randint(0, 200),
                    documents_opened=w * rng.randint(0, 50), prints=w * rng.randint(0, 5), saves=w * rng.randint(0, 5),
                ))
                if len(batch) >= 20000:
                    HourlyRollup.objects.bulk_create(batch)
                    batch = []
        HourlyRollup.objects.bulk_create(batch)
    summed = ["reports", "seats_used_sum", "searches", "empty_searches", "db_requests", "documents_opened", "prints", "saves"]
    with connection.cursor() as cursor:  # the daily rollups the pipeline keeps beside the hourly ones
        cursor.execute(
            f"INSERT INTO metrics_dailyrollup (installation_id, day, seats_used_max, seats_total, {', '.join(summed)}, "
            "refusals, refusals_no_seats, kassist_requests, documents_free, services, link_follows, counted_searches) "
            f"SELECT installation_id, DATE(hour), MAX(seats_used_max), MAX(seats_total), "
            f"{', '.join(f'SUM({c})' for c in summed)}, 0, 0, 0, 0, 0, 0, 0 "
            "FROM metrics_hourlyrollup GROUP BY installation_id, DATE(hour)"
        )
    InstallationState.objects.bulk_create(
        [InstallationState(installation=i, report_time=end, seats_total=50, seats_used=10) for i in insts]
    )
    month = date(end.year, end.month, 1)
    UserMonthCounters.objects.bulk_create(
        [UserMonthCounters(installation=i, month=month, login=f"u{u}", report_time=end, db_requests=rng.randint(0, 300))
         for i in insts for u in range(20)], batch_size=20000,
    )
    SearchEvent.objects.bulk_create(
        [SearchEvent(installation=rng.choice(insts), fingerprint=f"{k:032x}", at=end - timedelta(minutes=k),
                     login="u1", text="трудовой договор", results=rng.choice([0, 1, 5, 12])) for k in range(200_000)],
        batch_size=20000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return insts, time.monotonic() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--installations", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="'' for embedded SQLite")
    args = parser.parse_args()
    setup_django(args.database_url, "smart_bench")
    from django.db import connection

    from smart.metrics import queries as q
    from smart.registry.models import Installation

    end = datetime(2026, 11, 26, tzinfo=UTC)
    insts, fill_s = fill(args.installations, args.days, end)
    print(f"filled {args.installations} installations × {args.days} days of hourly rollups "
          f"({args.installations * args.days * 24:,} rows, and their daily rollups) in {fill_s:.0f} s on {connection.vendor}")
    everyone = Installation.objects.all()
    some = [i.pk for i in insts[:50]]
    rng90 = q.Range(end - timedelta(days=args.days), end)
    rng30 = q.Range(end - timedelta(days=30), end)
    rng7 = q.Range(end - timedelta(days=7), end)
    month = date(end.year, end.month, 1)
    cases = {
        "fleet daily DB requests, 90 d, all": lambda: q.fleet_series(everyone, rng90, "db_requests", "day"),
        "per-installation daily empty searches, 90 d, all": lambda: q.series_by_installation(everyone, rng90, "empty_searches", "day"),
        "per-installation seats max, 90 d auto step, 50 inst.": lambda: q.series_by_installation(some, rng90, "seats_used_max", "auto", "max"),
        "per-installation hourly seats max, 7 d, 50 inst.": lambda: q.series_by_installation(some, rng7, "seats_used_max", "hour", "max"),
        "totals per installation, 30 d, all": lambda: q.totals(everyone, rng30),
        "involvement this month, all": lambda: q.involvement(everyone, month),
        "latest states, all": lambda: list(q.latest_states(everyone)),
        "empty searches table, 30 d, all (1000 rows)": lambda: q.searches(everyone, rng30, empty_only=True),
    }
    print(f"{'query':<52} {'p50 ms':>8} {'p95 ms':>8}")
    worst = 0.0
    for name, run in cases.items():
        run()  # warm
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            run()
            times.append((time.perf_counter() - t) * 1000)
        worst = max(worst, percentile(times, 95))
        print(f"{name:<52} {percentile(times, 50):8.1f} {percentile(times, 95):8.1f}")
    print("TARGET MET (p95 <= 300 ms)" if worst <= 300 else "TARGET MISSED (p95 <= 300 ms)")


if __name__ == "__main__":
    main()
