"""Cabinet page times over 90 days × 1,000 installations (PostgreSQL by default).

    python bench/cabinet_pages.py [--installations 1000] [--days 90] [--repeat 20] [--from now-90d]
                                  [--database-url postgres://...] [--no-browser] [--only SLUG,SLUG]

Seeds a fresh database with bench/dashboard_queries.py's synthetic history (hourly and daily rollups, searches,
per-user month counters, latest states) ending now, plus a dealer admin and, on PostgreSQL, the technical
history (online accesses, hourly check runs, check states, snapshots, sessions, alerts: TECH_SQL). Then, for every dashboard in the
registry (whatever is registered when it runs), measures:

- server time of the dashboard page and of each panel's JSON, with Django's test Client signed in as the dealer
  admin (p50 / p95 over --repeat requests), and the home page and a client's health card;
- headless Chromium (/usr/bin/chromium, 1600×1000) time from navigation start until the page is usable: every
  panel in view when it opened is drawn (`window.SMART_DASH.usableAt`; the panels below are asked for after
  them), and until every panel is drawn (`drawnAt`), against a uvicorn server on loopback.

Targets: server p95 <= 300 ms per page or panel; browser <= 1.5 s per dashboard.
"""
import argparse
import os
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import free_port, percentile, setup_django  # noqa: E402
from dashboard_queries import fill  # noqa: E402

SERVER_TARGET_MS = 300
BROWSER_TARGET_MS = 1500
CHROMIUM = "/usr/bin/chromium"


# The technical history the availability, connected-users, home and health-card pages read (PostgreSQL only:
# generated in the database). One online access per client on ONLINE_HOSTS vendor servers; hourly run counts of
# http200 and tcp per installation and billing per access; check states; a snapshot per report (hourly for a
# week, daily before); 20 users per installation with a session a day each; firing and resolved alerts.
ONLINE_HOSTS = 8
TECH_SQL = [
    """INSERT INTO registry_onlineaccess (firm, login, password, host, folder, scheme, alert_emails, created_at,
       updated_at, client_id, dealer_id)
       SELECT 'F' || c.id, 'l' || c.id, '', 'buh' || (c.id %% {hosts}) || '.kodeks.ru', 'docs', 'https', '', %(start)s,
       %(start)s, c.id, c.dealer_id FROM registry_client c""",
    """INSERT INTO probes_checkhourly (target_key, installation_id, check_type, hour, total, ok)
       SELECT 'i' || i.id || ':' || c, i.id, c, h, 60, CASE WHEN random() < 0.01 THEN 50 ELSE 60 END
       FROM registry_installation i, unnest(ARRAY['http200', 'tcp']) c,
       generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 hour', interval '1 hour') h""",
    """INSERT INTO probes_checkhourly (target_key, online_access_id, check_type, hour, total, ok)
       SELECT 'o' || o.id || ':billing', o.id, 'billing', h, 1, CASE WHEN random() < 0.02 THEN 0 ELSE 1 END
       FROM registry_onlineaccess o,
       generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 hour', interval '1 hour') h""",
    """INSERT INTO probes_checkdaily (target_key, installation_id, online_access_id, check_type, day, total, ok)
       SELECT target_key, installation_id, online_access_id, check_type, (hour AT TIME ZONE 'UTC')::date, sum(total),
       sum(ok) FROM probes_checkhourly GROUP BY 1, 2, 3, 4, 5""",
    """INSERT INTO probes_checkstate (target_key, dealer_id, installation_id, online_access_id, check_type, ok,
       last_run_at, runs, failures, consecutive_failures, code, state, detail, extra)
       SELECT t.key, t.dealer_id, t.inst, t.acc, t.c, t.n %% 17 <> 0, %(end)s, 100, 1, 0, 200, 'ok', '', '{{}}'
       FROM (SELECT 'i' || id || ':' || c AS key, dealer_id, id AS inst, NULL::bigint AS acc, c, id AS n
             FROM registry_installation, unnest(ARRAY['http200', 'tcp', 'key', 'limit']) c
             UNION ALL SELECT 'o' || id || ':billing', dealer_id, NULL, id, 'billing', id FROM registry_onlineaccess) t""",
    """INSERT INTO metrics_snapshot (installation_id, report_time, report_guid, month, key_state)
       SELECT i.id, t, '', date_trunc('month', t)::date, 'ok' FROM registry_installation i,
       generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 hour', interval '1 hour') t
       WHERE t >= %(end)s::timestamptz - interval '7 days' OR extract(hour FROM t) = 0""",
    """INSERT INTO metrics_knownuser (installation_id, login, full_name, phone, email, position, department, domain,
       ad_group, first_seen, last_seen)
       SELECT i.id, 'u' || u, '', '', '', '', '', 'dom' || (u %% 4), '', %(start)s, %(end)s
       FROM registry_installation i, generate_series(1, 20) u""",
    """INSERT INTO metrics_sessionevent (installation_id, login, started_at, ip, browser, domain, first_seen, last_seen)
       SELECT i.id, 'u' || u, d + interval '6 hours', '10.0.' || (u %% 3) || '.' || u, 'Firefox', 'dom' || (u %% 4),
       d + interval '6 hours', d + interval '30 hours' FROM registry_installation i, generate_series(1, 20) u,
       generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 day', interval '1 day') d""",
    """INSERT INTO alerts_alert (rule, object_key, fingerprint, state, pending_since, fired_at, resolved_at,
       last_seen_at, resolve_streak, value, detail, labels, priority, legacy_priority, importance, category,
       inhibited_by, historical, acknowledged_via, dealer_id, installation_id, client_id)
       SELECT 'Rule' || r, 'i' || i.id, md5(i.id || ':' || r), CASE WHEN r = 0 AND i.id %% 10 = 0 THEN 'firing'
       ELSE 'resolved' END, %(start)s, %(start)s, CASE WHEN r = 0 AND i.id %% 10 = 0 THEN NULL ELSE %(end)s END,
       %(end)s, 0, '', 'detail', '{{}}', 'P' || (1 + r %% 4), 'K1', 'critical', '', '', false, '', i.dealer_id, i.id,
       i.client_id FROM registry_installation i, generate_series(0, 4) r""",
    """INSERT INTO alerts_flip (alert_id, new_state, at, created_at, processed_at)
       SELECT a.id, CASE WHEN k %% 2 = 0 THEN 'firing' ELSE 'resolved' END, t, t, t FROM alerts_alert a,
       LATERAL (SELECT k, %(end)s::timestamptz - k * interval '1 day' - (a.id %% 24) * interval '1 hour' AS t
                FROM generate_series(1, 20) k) f""",
]


def seed_technical(days: int, end: datetime) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in TECH_SQL:
            cursor.execute(sql.format(hosts=ONLINE_HOSTS), {"start": end - timedelta(days=days), "end": end})
        cursor.execute("ANALYZE")


def seed(n_inst: int, days: int):
    from smart.registry.models import Dealer, Role, User

    end = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    insts, fill_s = fill(n_inst, days, end)
    t0 = time.monotonic()
    seed_technical(days, end)
    fill_s += time.monotonic() - t0
    dealer = Dealer.objects.get(code="BNCH")
    admin = User.objects.create(username="bench-admin", role=Role.DEALER_ADMIN, dealer=dealer,
                                full_name="Bench Admin")
    return insts, admin, fill_s


def timed(client, url, repeat):
    client.get(url)  # warm: caches, first-query plans
    times, status = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        resp = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        status = resp.status_code
    return status, percentile(times, 50), percentile(times, 95)


def server_times(admin, insts, repeat, frm, only):
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from smart.cabinet.dashboards import REGISTRY

    c = Client(raise_request_exception=False)  # a failing page is a row in the table, not the end of the bench
    c.force_login(admin)
    rows = []
    pages = [("home", "cabinet:home", {})]
    for name, kwargs in (("client health card", {"pk": insts[0].client_id}),
                         ("installation health card", {"pk": insts[0].pk})):
        pages.append((name, "cabinet:" + ("client" if "client" in name else "installation"), kwargs))
    for label, url_name, kwargs in pages:
        try:
            url = reverse(url_name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        rows.append((label, *timed(c, url, repeat)))
    qs = f"?from={frm}&to=now" if frm else ""
    for slug, dash in REGISTRY.items():
        if only and slug not in only:
            continue
        rows.append((f"{slug} page", *timed(c, f"/d/{slug}/{qs}", repeat)))
        for panel in dash.panels:
            rows.append((f"{slug} / {panel.key}", *timed(c, f"/d/{slug}/panel/{panel.key}.json{qs}", repeat)))
    return rows


def start_server():
    import uvicorn

    port = free_port()
    config = uvicorn.Config("smart.asgi:application", host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def browser_times(admin, frm, only, tries=3):
    from django.conf import settings
    from django.test import Client
    from playwright.sync_api import sync_playwright

    from smart.cabinet.dashboards import REGISTRY

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM below runs beside Playwright's loop
    c = Client()
    c.force_login(admin)
    cookie = c.cookies[settings.SESSION_COOKIE_NAME].value
    server, base = start_server()
    rows = []
    qs = f"?from={frm}&to=now" if frm else ""
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"])
            ctx = browser.new_context(locale="ru-RU", viewport={"width": 1600, "height": 1000})
            ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
            page = ctx.new_page()
            errors = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            warm = True  # the first dashboard opened puts Plotly and the stylesheets in the browser's cache, as for
            # a user (the dashboard list loads no Plotly); that load is not counted
            for slug, dash in REGISTRY.items():
                if only and slug not in only:
                    continue
                if warm:
                    warm = False
                    page.goto(f"{base}/d/{slug}/{qs}")
                    try:
                        page.wait_for_function("window.SMART_DASH && (window.SMART_DASH.drawn + "
                                               "window.SMART_DASH.errors.length) >= window.SMART_DASH.panels",
                                               timeout=60000)
                    except Exception:  # noqa: BLE001 - the measured loads below report it
                        pass
                times, failed = [], ""
                for _ in range(tries):
                    page.goto(f"{base}/d/{slug}/{qs}")
                    try:
                        page.wait_for_function("window.SMART_DASH && (window.SMART_DASH.drawn + "
                                               "window.SMART_DASH.errors.length) >= window.SMART_DASH.panels",
                                               timeout=60000)
                    except Exception as exc:  # noqa: BLE001 - reported in the table
                        failed = f"timeout: {exc.__class__.__name__}"
                        break
                    errs = page.evaluate("window.SMART_DASH.errors")
                    if errs:
                        failed = "; ".join(errs)[:60]
                    # the page notes when its last panel was drawn; the wait's polling and this round trip are not
                    # the page's time
                    usable, drawn, in_view = page.evaluate(
                        "[window.SMART_DASH.usableAt, window.SMART_DASH.drawnAt || performance.now(), "
                        "window.SMART_DASH.inView]")
                    times.append((usable if usable is not None else drawn, drawn, in_view))
                usable = [u for u, _d, _n in times]
                rows.append((slug, len(dash.panels), percentile(usable, 50) if times else float("nan"),
                             max(usable) if times else float("nan"),
                             percentile([d for _u, d, _n in times], 50) if times else float("nan"),
                             max((n for _u, _d, n in times), default=0), failed or "; ".join(errors)[:60]))
                errors.clear()
            browser.close()
    finally:
        server.should_exit = True
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--installations", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--from", dest="frm", default="now-90d", help="the range start ('' for each dashboard's default)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="'' for embedded SQLite")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated dashboard slugs")
    parser.add_argument("--db-name", default="smart_bench_cabinet",
                        help="the PostgreSQL database to seed (dropped first) or, with --reuse, to measure")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the database a previous run seeded (PostgreSQL) instead of seeding again")
    args = parser.parse_args()
    only = {s for s in args.only.split(",") if s}
    if args.reuse and args.database_url:
        import tempfile

        os.environ["SMART_DATA_DIR"] = tempfile.mkdtemp(prefix="smart_bench_cabinet-")
        os.environ["DATABASE_URL"] = args.database_url.rsplit("/", 1)[0] + "/" + args.db_name
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smart.settings")
        import django

        django.setup()
        from smart.registry.models import Installation, User

        admin = User.objects.get(username="bench-admin")
        insts = list(Installation.objects.filter(dealer=admin.dealer).order_by("pk"))
        print(f"reusing the seeded database: {len(insts)} installations")
    else:
        setup_django(args.database_url, args.db_name)
        insts, admin, fill_s = seed(args.installations, args.days)
        from django.db import connection

        print(f"seeded {args.installations} installations × {args.days} days on {connection.vendor} in {fill_s:.0f} s; "
              f"range {args.frm or 'dashboard default'} .. now")

    rows = server_times(admin, insts, args.repeat, args.frm, only)
    worst = 0.0
    print(f"\nserver time, Django test Client as a dealer admin, {args.repeat} requests each "
          f"(target p95 <= {SERVER_TARGET_MS} ms)")
    print(f"{'page / panel':<52} {'HTTP':>5} {'p50 ms':>8} {'p95 ms':>8}")
    bad = []
    for label, status, p50, p95 in rows:
        mark = "" if p95 <= SERVER_TARGET_MS and status == 200 else "  <-- over target" if status == 200 else \
            "  <-- not 200"
        if mark:
            bad.append(label)
        worst = max(worst, p95)
        print(f"{label:<52} {status:>5} {p50:8.1f} {p95:8.1f}{mark}")
    print(f"server: worst p95 {worst:.0f} ms; " + ("TARGET MET" if not bad else f"TARGET MISSED by {len(bad)}"))

    if args.no_browser or not Path(CHROMIUM).exists():
        print("\nbrowser: skipped" + ("" if args.no_browser else f" ({CHROMIUM} missing)"))
        return
    rows = browser_times(admin, args.frm, only)
    print(f"\nheadless Chromium (1600×1000), navigation start to usable: the panels in view drawn (target <= "
          f"{BROWSER_TARGET_MS} ms); and to every panel drawn")
    print(f"{'dashboard':<28} {'panels':>6} {'in view':>7} {'usable med':>10} {'worst ms':>9} {'all drawn med':>13}  notes")
    missed = 0
    for slug, n, med, worst_b, all_med, in_view, note in rows:
        over = not (worst_b <= BROWSER_TARGET_MS) or note
        missed += bool(over)
        print(f"{slug:<28} {n:>6} {in_view:>7} {med:10.0f} {worst_b:9.0f} {all_med:13.0f}  "
              f"{note}{'  <-- over target' if over else ''}")
    print("browser: " + ("TARGET MET" if not missed else f"TARGET MISSED by {missed}"))


if __name__ == "__main__":
    main()
