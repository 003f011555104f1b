"""Rough server-time check of every technical panel on PostgreSQL (run explicitly; not part of the suite):
DATABASE_URL=postgres://... pytest tests/cabinet_techdash/perf_check.py -s"""
import time
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection

from smart.cabinet.dashboards import REGISTRY

from .conftest import SLUGS, make_ctx

N = 200
DAYS = 30


@pytest.mark.django_db
def test_timings(dealer):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from smart.registry.models import Client, Installation, Role, User

    admin = User.objects.create_user("adm", password="pw", role=Role.DEALER_ADMIN, dealer=dealer)
    clients = Client.objects.bulk_create(Client(dealer=dealer, display_name=f"C{i}", slug=f"C{i}") for i in range(N))
    Installation.objects.bulk_create(Installation(dealer=dealer, client=c, kind="pushed", name=f"I{i}")
                                     for i, c in enumerate(clients))
    now = datetime(2026, 11, 30, tzinfo=timezone.utc)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("""INSERT INTO probes_checkhourly (target_key, installation_id, check_type, hour, total, ok)
            SELECT 'i' || i.id || ':' || c, i.id, c, h, 60, CASE WHEN random() < 0.01 THEN 50 ELSE 60 END
            FROM registry_installation i, unnest(ARRAY['http200','tcp']) c,
                 generate_series(%s::timestamptz - interval '%s days', %s::timestamptz, interval '1 hour') h""",
                    [now, DAYS + 30, now])
        cur.execute("""INSERT INTO probes_checksample (dealer_id, installation_id, check_type, at, ok, code, state, detail)
            SELECT i.dealer_id, i.id, c, t, NOT m, CASE WHEN m THEN 503 ELSE 200 END,
                   CASE WHEN m THEN 'maintenance' ELSE 'ok' END, ''
            FROM registry_installation i, unnest(ARRAY['http200','tcp']) c,
                 generate_series(%s::timestamptz - interval '2 days', %s::timestamptz, interval '5 minutes') t,
                 LATERAL (SELECT c = 'http200' AND extract(hour from t) = 4 AND i.id %% 5 = 0 AS m) x""", [now, now])
        cur.execute("""INSERT INTO probes_checkstate (target_key, dealer_id, installation_id, check_type, ok, runs,
                failures, consecutive_failures, code, state, detail, extra)
            SELECT 'i' || i.id || ':' || c, i.dealer_id, i.id, c, mod(i.id, 7) <> 0, 100, 1, 0, 200, 'ok', '', '{}'
            FROM registry_installation i, unnest(ARRAY['http200','tcp']) c""")
        cur.execute("""INSERT INTO metrics_statussample (installation_id, observed_at, received_at, dated, up, seats_used)
            SELECT i.id, t, t, true, 1, 5 FROM registry_installation i,
                 generate_series(%s::timestamptz - interval '2 days', %s::timestamptz, interval '15 minutes') t""",
                    [now, now])
        cur.execute("""INSERT INTO metrics_snapshot (installation_id, report_time, report_guid, month, key_state)
            SELECT i.id, t, '', date_trunc('month', t)::date, '' FROM registry_installation i,
                 generate_series(%s::timestamptz - interval '30 days', %s::timestamptz, interval '1 hour') t""",
                    [now, now])
    from smart.probes.store import rebuild_daily

    rebuild_daily()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"\nfill: {time.perf_counter() - t0:.1f} s")
    for slug in SLUGS:
        dash = REGISTRY[slug]
        from smart.cabinet.timerange import parse
        from zoneinfo import ZoneInfo

        start = parse(dash.default_from, now, ZoneInfo("UTC"))
        for rng_name, frm in (("default", start), ("90d", now - timedelta(days=90))):
            for panel in dash.panels:
                ctx = make_ctx(admin, frm, now)
                times = []
                for _ in range(3):
                    ctx = make_ctx(admin, frm, now)
                    t = time.perf_counter()
                    panel.query(ctx)
                    times.append(time.perf_counter() - t)
                print(flush=True, end="")
                print(f"{slug:22} {panel.key:16} {rng_name:8} {min(times) * 1000:7.0f} ms (max {max(times) * 1000:.0f})")
