"""Server time of the online-billing, prolongation, quarterly and search dashboards (PostgreSQL by default).

    python bench/bizonline_dashboards.py [--installations 1000] [--days 90] [--accesses 300] [--repeat 20]
                                         [--database-url postgres://...]

Seeds bench/dashboard_queries.py's synthetic history (hourly and daily rollups, searches) for N installations,
plus M online accesses with hourly billing readings over the same days, their search history and some failed
readings, and one client with two installations and 13 months of daily rollups and search log (the prolongation
year table). Then requests every panel of the bizonline dashboards as a dealer admin with Django's test client
(URL → JSON, the whole server path) and prints p50 / p95. Targets: p95 <= 300 ms per panel; the prolongation
year table for one client <= 200 ms.
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
from dashboard_queries import fill  # noqa: E402

UTC = timezone.utc
SLUGS = ("billing-stats", "billing-analytics", "billing-prolongation", "prolongation", "quarterly", "search-online",
         "search-time")


def seed_online(n_access: int, days: int, end: datetime, insts):
    from django.db import connection

    from smart.probes.models import CheckSample, OnlineCounters, OnlineSearch
    from smart.registry.models import OnlineAccess, Role, User

    rng = random.Random(2)
    dealer = insts[0].dealer
    managers = [User.objects.create(username=f"mgr{k}", role=Role.MANAGER, dealer=dealer, full_name=f"Менеджер {k}")
                for k in range(10)]
    accesses = OnlineAccess.objects.bulk_create([
        OnlineAccess(dealer=dealer, client_id=insts[k % len(insts)].client_id, firm=f"Firm {k}", login=f"login{k}",
                     password="x", host="online.kodeks.ru", folder=f"docs{k % 3}", manager=managers[k % 10])
        for k in range(n_access)])
    start = end - timedelta(days=days)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a monthly sawtooth per access, generated in the database
            cursor.execute(
                "INSERT INTO probes_onlinecounters (online_access_id, at, documents_left, documents_limit, search_left, "
                "search_limit, print_left, print_limit, export_left, export_limit) "
                "SELECT a.id, h, GREATEST(0, 400 - ((extract(epoch FROM h - date_trunc('month', h)) / 3600) "
                "* (a.id %% 7 + 1) / 10)::int), 400, GREATEST(0, 4000 - ((extract(epoch FROM h - date_trunc('month', h)) "
                "/ 3600) * (a.id %% 5 + 1))::int), 4000, 3000, 3000, 3500, 3500 "
                "FROM registry_onlineaccess a, generate_series(%s::timestamptz, %s::timestamptz - interval '1 hour', "
                "interval '1 hour') AS h",
                [start, end])
    else:
        OnlineCounters.objects.bulk_create([
            OnlineCounters(online_access=a, at=start + timedelta(hours=h), documents_left=max(0, 400 - h % 720 // 3),
                           documents_limit=400, search_left=4000 - h % 720, search_limit=4000, print_left=3000,
                           print_limit=3000, export_left=3500, export_limit=3500)
            for a in accesses for h in range(days * 24)], batch_size=20000)
    OnlineSearch.objects.bulk_create([
        OnlineSearch(online_access=rng.choice(accesses), fingerprint=f"{k:032x}", at=end - timedelta(minutes=k),
                     login=f"u{k % 17}", text="трудовой договор", search_type="интеллектуальный",
                     results=rng.choice([0, 1, 5, 12])) for k in range(100_000)], batch_size=20000)
    CheckSample.objects.bulk_create([
        CheckSample(dealer=dealer, online_access=rng.choice(accesses), check_type="billing",
                    at=end - timedelta(hours=k), ok=False, state="ConnectionTimeout") for k in range(1000)])
    return accesses


def seed_year_client(insts, end: datetime):
    """One client with two installations and 13 months of daily rollups and a search log (prolongation)."""
    from smart.metrics.models import DailyRollup, SearchEvent
    from smart.registry.models import Client, Installation

    rng = random.Random(3)
    dealer = insts[0].dealer
    client = Client.objects.create(dealer=dealer, slug="YEAR", display_name="Годовой клиент")
    two = [Installation.objects.create(dealer=dealer, client=client, kind="pushed", name=f"YEAR-{k}") for k in (1, 2)]
    first = date(end.year - 1, 12, 1)
    DailyRollup.objects.bulk_create([
        DailyRollup(installation=i, day=first + timedelta(days=d), reports=24, documents_opened=rng.randint(0, 80),
                    saves=rng.randint(0, 9), prints=rng.randint(0, 5), db_requests=rng.randint(0, 400),
                    refusals_no_seats=rng.randint(0, 1), empty_searches=rng.randint(0, 5))
        for i in two for d in range((date(end.year, 12, 31) - first).days + 1)], batch_size=5000)
    SearchEvent.objects.bulk_create([
        SearchEvent(installation=rng.choice(two), fingerprint=f"y{k:031x}",
                    at=datetime(end.year - 1, 12, 1, tzinfo=UTC) + timedelta(minutes=17 * k), login="u",
                    text="гост", search_type=rng.choice(["intelligent", "attribute"]), results=3,
                    duration_ms=rng.randint(100, 30000)) for k in range(30_000)], batch_size=10000)
    return client


def timed(client, url, repeat):
    resp = client.get(url)  # warm
    assert resp.status_code == 200, (url, resp.status_code)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t) * 1000)
    return percentile(times, 50), percentile(times, 95)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--installations", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--accesses", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="'' for embedded SQLite")
    args = parser.parse_args()
    setup_django(args.database_url, "smart_bench_bizonline")
    from django.db import connection
    from django.test import Client

    from smart.cabinet.dashboards import REGISTRY
    from smart.registry.models import Role, User

    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    t0 = time.monotonic()
    insts, _ = fill(args.installations, args.days, end)
    seed_online(args.accesses, args.days, end, insts)
    year_client = seed_year_client(insts, end)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"seeded {args.installations} installations × {args.days} days, {args.accesses} online accesses × "
          f"{args.days} days of hourly readings, one 13-month client in {time.monotonic() - t0:.0f} s on {connection.vendor}")
    admin = User.objects.create(username="bench-admin", role=Role.DEALER_ADMIN, dealer=insts[0].dealer)
    c = Client()
    c.force_login(admin)
    ranges = {"billing-stats": "now-30d", "billing-analytics": f"now-{args.days}d", "quarterly": f"now-{args.days}d",
              "search-online": "now-7d", "search-time": "now-7d"}
    year = f"from={end.year}-01-01T00:00&to={end.year}-12-31T23:59:59&var-client={year_client.pk}"
    worst, rows = 0.0, []
    for slug in SLUGS:
        qs = year if slug in ("prolongation", "billing-prolongation") else f"from={ranges[slug]}&to=now"
        if slug == "billing-prolongation":
            qs = year.replace(str(year_client.pk), str(insts[0].client_id))  # a client with an online access
        for panel in REGISTRY[slug].panels:
            p50, p95 = timed(c, f"/d/{slug}/panel/{panel.key}.json?{qs}", args.repeat)
            rows.append((f"{slug} / {panel.key}", p50, p95))
            worst = max(worst, p95)
        p50, p95 = timed(c, f"/d/{slug}/?{qs}", args.repeat)
        rows.append((f"{slug} page", p50, p95))
        worst = max(worst, p95)
    print(f"{'request':<44} {'p50 ms':>8} {'p95 ms':>8}")
    for name, p50, p95 in rows:
        print(f"{name:<44} {p50:8.1f} {p95:8.1f}")
    year_p95 = dict((n, p95) for n, _p50, p95 in rows)["prolongation / table"]
    print(f"prolongation year table, one client: p95 {year_p95:.1f} ms "
          + ("TARGET MET (<= 200 ms)" if year_p95 <= 200 else "TARGET MISSED (<= 200 ms)"))
    print("TARGET MET (p95 <= 300 ms)" if worst <= 300 else f"TARGET MISSED (p95 <= 300 ms; worst {worst:.0f} ms)")


if __name__ == "__main__":
    main()
