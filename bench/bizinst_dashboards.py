"""Server time of the business dashboards "For managers", "Kodeks analytics", "Search queries", "User cards",
"kAssist. Analytics", "Statistics by Active Directory" and "Disk space" (PostgreSQL by default).

    python bench/bizinst_dashboards.py [--installations 1000] [--days 90] [--repeat 10] [--database-url postgres://...]

Seeds bench/dashboard_queries.py's synthetic history (hourly and daily rollups, searches, month counters), plus
one report snapshot per installation and hour, 20 known users per installation with cards, AD groups, sessions
and four months of per-user counters, OperUp file versions, refusals, kAssist days and hourly free-disk readings.
Then requests every panel of these dashboards over each dashboard's default range (90 days for Kodeks analytics)
and over 90 days, as a dealer admin, with Django's test client (URL → JSON, the whole server path), and prints
p50 / p95 per panel. Target: p95 <= 300 ms.
"""
import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import percentile, setup_django  # noqa: E402
from dashboard_queries import fill  # noqa: E402

SLUGS = ("managers", "kodeks-analytics", "search-queries", "user-cards", "kassist", "ad-stats", "disk-space")

SEED_SQL = [
    # one report snapshot per installation and hour: month-to-date totals grow through the local month
    """INSERT INTO metrics_snapshot (installation_id, report_time, report_guid, month, seats_total, seats_used,
        users_total, users_active_month, key_state, total_db_requests, total_kassist_requests,
        total_documents_opened, total_documents_free, total_services, total_link_follows, total_saves, total_prints,
        total_searches, inc_db_requests, inc_kassist_requests, inc_documents_opened, inc_documents_free, inc_services,
        inc_link_follows, inc_saves, inc_prints, inc_searches)
       SELECT i.id, h, '', date_trunc('month', h AT TIME ZONE 'Europe/Moscow')::date, 50, (random() * 40)::int, 20,
        LEAST(20, (extract(day FROM h AT TIME ZONE 'Europe/Moscow'))::int), 'ok', m * 30, m, m * 9, m * 3, m, m * 2,
        m, m, m * 5, 30, 1, 9, 3, 1, 2, 1, 1, 5
       FROM registry_installation i, generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 hour',
        interval '1 hour') AS h,
        LATERAL (SELECT (extract(epoch FROM h - date_trunc('month', h)) / 3600)::int AS m) AS mm""",
    """INSERT INTO metrics_knownuser (installation_id, login, full_name, phone, email, position, department, domain,
        ad_group, registered_on, last_login_at, first_seen, last_seen)
       SELECT i.id, 'u' || u, 'Пользователь ' || u, CASE WHEN u %% 3 = 0 THEN '' ELSE '+7 900' END, 'u@x.ru',
        'юрист', 'отдел', 'DOM' || (u %% 4), '', NULL, %(end)s::timestamptz - (u * interval '4 day'),
        %(start)s::timestamptz - interval '200 day', %(end)s
       FROM registry_installation i, generate_series(0, 19) AS u""",
    """INSERT INTO metrics_usermonthcounters (installation_id, month, login, report_time, db_requests,
        kassist_requests, documents_opened, documents_free, services, link_follows, saves, prints, searches)
       SELECT i.id, mo::date, 'u' || u, LEAST(%(end)s::timestamptz, mo + interval '27 day'), (u %% 5) * 40,
        u %% 3, u * 7, u, u, u, u %% 4, u %% 6, u * 3
       FROM registry_installation i, generate_series(0, 19) AS u,
        generate_series(date_trunc('month', %(start)s::timestamptz), date_trunc('month', %(end)s::timestamptz)
        - interval '1 month', interval '1 month') AS mo""",
    """INSERT INTO metrics_sessionevent (installation_id, login, started_at, ip, browser, domain, first_seen, last_seen)
       SELECT i.id, 'u' || u, %(end)s::timestamptz - (u * interval '3 day'), '10.0.0.1', '', '',
        %(end)s::timestamptz - (u * interval '3 day'), %(end)s::timestamptz - (u * interval '3 day')
       FROM registry_installation i, generate_series(0, 19) AS u""",
    # three OperUp files per installation, a new version each day
    """INSERT INTO metrics_operupevent (installation_id, path, modified_at, first_seen, last_seen)
       SELECT i.id, 'C:\\Kodeks\\OperUp\\' || f || '.ud6', d, d + interval '1 hour', d + interval '23 hour'
       FROM registry_installation i, generate_series(1, 3) AS f,
        generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 day', interval '1 day') AS d""",
    """INSERT INTO metrics_refusalevent (installation_id, fingerprint, at, login, code, reason, message, count)
       SELECT i.id, md5(i.id || '-' || k), %(end)s::timestamptz - (k * interval '7 hour'), 'u' || (k %% 20), 2008,
        'no_free_seats', '', 1
       FROM registry_installation i, generate_series(1, 60) AS k""",
    """INSERT INTO metrics_kassistday (installation_id, day, unique_links, unmatched_links, all_links, active_links,
        report_time)
       SELECT i.id, d::date, (random() * 20)::int, (random() * 3)::int, (random() * 30)::int, (random() * 10)::int, d
       FROM registry_installation i,
        generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 day', interval '1 day') AS d""",
    """INSERT INTO metrics_diskfree (installation_id, observed_at, path, free_bytes, total_bytes)
       SELECT i.id, h, p, (5 + random() * 100)::bigint * 1000000000, 200000000000
       FROM registry_installation i, unnest(ARRAY['/', '/var/lib/kodeks']) AS p,
        generate_series(%(end)s::timestamptz - interval '14 day', %(end)s::timestamptz - interval '1 hour',
        interval '1 hour') AS h""",
]


def seed(start, end):
    from django.db import connection

    from smart.metrics.models import InstallationState
    from smart.registry.models import Client, Role, User

    t0 = time.monotonic()
    with connection.cursor() as cursor:
        for sql in SEED_SQL:
            cursor.execute(sql, {"start": start, "end": end})
    InstallationState.objects.update(licence_expiry=(end + timedelta(days=40)).date(), regnum="R-1")
    dealer = Client.objects.first().dealer
    managers = [User.objects.create(username=f"mgr{k}", role=Role.MANAGER, dealer=dealer, full_name=f"Менеджер {k}")
                for k in range(10)]
    for k, client in enumerate(Client.objects.order_by("pk")):
        client.managers.add(managers[k % 10])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.monotonic() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--installations", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="'' for embedded SQLite (the seeding SQL is PostgreSQL's)")
    args = parser.parse_args()
    setup_django(args.database_url, "smart_bench_bizinst")
    from django.conf import settings
    from django.db import connection
    from django.test import Client as HttpClient
    from django.utils import timezone

    from smart.cabinet.dashboards import REGISTRY
    from smart.registry.models import Role, User

    settings.ALLOWED_HOSTS = ["*"]
    end = timezone.now().replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=args.days)
    insts, fill_s = fill(args.installations, args.days, end)
    seed_s = seed(start, end)
    print(f"seeded {args.installations} installations × {args.days} days on {connection.vendor} "
          f"({fill_s + seed_s:.0f} s)")
    admin = User.objects.create(username="bench-admin", role=Role.DEALER_ADMIN, dealer=insts[0].dealer)
    http = HttpClient()
    http.force_login(admin)
    print(f"{'panel':<46} {'range':<9} {'p50 ms':>8} {'p95 ms':>8} {'KB':>7}")
    worst, worst_name = 0.0, ""
    for slug in SLUGS:
        dash = REGISTRY[slug]
        ranges = {dash.default_from: f"?from={dash.default_from}&to=now"}
        ranges.setdefault(f"now-{args.days}d", f"?from=now-{args.days}d&to=now")
        for label, query in ranges.items():
            for p in dash.panels:
                url = f"/d/{slug}/panel/{p.key}.json{query}"
                resp = http.get(url)
                assert resp.status_code == 200, (url, resp.status_code)
                times = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    http.get(url)
                    times.append((time.perf_counter() - t) * 1000)
                p95 = percentile(times, 95)
                if p95 > worst:
                    worst, worst_name = p95, f"{slug}/{p.key} {label}"
                print(f"{slug + '/' + p.key:<46} {label:<9} {percentile(times, 50):8.1f} {p95:8.1f} "
                      f"{len(resp.content) / 1024:7.0f}")
    print(f"worst p95: {worst:.0f} ms ({worst_name})")
    print("TARGET MET (p95 <= 300 ms)" if worst <= 300 else "TARGET MISSED (p95 <= 300 ms)")


if __name__ == "__main__":
    main()
