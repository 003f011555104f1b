"""Realistic-looking data for the browser tests and screenshots: half a year of hourly billing readings (monthly
sawtooth, one access that runs out every month), a year of daily rollups for one client, search logs."""
import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
MSK = ZoneInfo("Europe/Moscow")
TEXTS = ["гост 30245", "сп 3613330-2012", "приказ минтруда 766н", "ПНД Ф 14.1:2:3:4..112-2023", "ГОСТ 9.061-75",
         "налоговый кодекс ст. 220", "трудовой договор образец", "СанПиН 2.4.3648-20", "ФЗ 44 закупки"]


def build(world, end=datetime(2026, 12, 1, tzinfo=MSK)):
    from smart.metrics.models import DailyRollup, SearchEvent
    from smart.probes.models import CheckSample, OnlineCounters, OnlineSearch
    from smart.registry.models import Installation

    r = random.Random(5)
    plans = {world.a1: (300, 0.45), world.a2: (400, 0.08), world.a3: (350, 0.9)}  # documents limit, per hour
    counters = []
    start = datetime(2026, 6, 1, tzinfo=MSK)
    t = start
    while t < end:
        month_start = datetime(t.year, t.month, 1, tzinfo=MSK)
        h = (t - month_start).total_seconds() / 3600
        for acc, (limit, rate) in plans.items():
            if r.random() < 0.01:
                continue  # a failed scrape
            docs = max(0, limit - int(rate * h))
            counters.append(OnlineCounters(
                online_access=acc, at=t.astimezone(UTC), documents_left=docs, documents_limit=limit,
                search_left=max(0, limit * 10 - int(rate * 6 * h)), search_limit=limit * 10,
                print_left=3000 - int(h / 3), print_limit=3000, export_left=3500 - int(h / 5), export_limit=3500))
        t += timedelta(hours=1)
    OnlineCounters.objects.bulk_create(counters, batch_size=2000)
    for k, state in enumerate(("ConnectionTimeout", "LoginPasswordError", "ReadTimeOut")):
        CheckSample.objects.create(dealer=world.dealer, online_access=world.a3, check_type="billing",
                                   at=datetime(2026, 11, 10 + k, 3, tzinfo=MSK), ok=False, state=state,
                                   detail="no connection within 10 s")
    searches = []
    for n in range(60):
        acc = (world.a1, world.a2, world.a3)[n % 3]
        at = datetime(2026, 11, 1 + n % 7, 9 + n % 9, n % 60, tzinfo=MSK)
        searches.append(OnlineSearch(online_access=acc, fingerprint=f"o{n}", at=at, login=f"user{n % 4}",
                                     text=TEXTS[n % len(TEXTS)], search_type="интеллектуальный" if n % 5 else "атрибутный",
                                     results=0 if n % 4 == 0 else r.randint(1, 300)))
    OnlineSearch.objects.bulk_create(searches)
    i1 = Installation.objects.create(dealer=world.dealer, client=world.c1, kind="pulled", name="10234.te-cloud.ru:443")
    i2 = Installation.objects.create(dealer=world.dealer, client=world.c1, kind="pushed", name="ROMASHKA-2")
    rollups = []
    d = date(2025, 10, 1)
    while d < date(2026, 12, 1):
        for inst, scale in ((i1, 1.0), (i2, 0.4)):
            if d.weekday() >= 5 or (inst is i2 and d.month == 4):
                continue  # weekends; i2 silent in April
            rollups.append(DailyRollup(
                installation=inst, day=d, reports=24, documents_opened=int(r.randint(10, 40) * scale),
                documents_free=r.randint(0, 5), saves=int(r.randint(0, 8) * scale), prints=r.randint(0, 3),
                refusals_no_seats=1 if r.random() < 0.05 else 0, db_requests=int(r.randint(50, 200) * scale),
                services=r.randint(0, 10), link_follows=r.randint(0, 20), counted_searches=r.randint(5, 30),
                kassist_requests=r.randint(0, 4), empty_searches=r.randint(0, 3), searches=r.randint(5, 30)))
        d += timedelta(days=1)
    DailyRollup.objects.bulk_create(rollups, batch_size=2000)
    events = []
    for n in range(80):
        inst = (i1, i2)[n % 2]
        ms = int(10 ** r.uniform(2.5, 5.2))
        events.append(SearchEvent(installation=inst, fingerprint=f"e{n}", at=datetime(2026, 11, 1 + n % 7, 8 + n % 10,
                                                                                        tzinfo=MSK),
                                  login=f"user{n % 5}", text=TEXTS[n % len(TEXTS)],
                                  search_type="intelligent" if n % 4 else "attribute",
                                  catalogue="docs" if n % 3 else "kodeks02", results=0 if n % 6 == 0 else 5,
                                  duration_ms=ms))
    SearchEvent.objects.bulk_create(events)
    return i1, i2


RANGES = {
    "billing-stats": "?from=2026-11-01T00:00&to=2026-12-01T00:00",
    "billing-analytics": "?from=2026-06-01T00:00&to=2026-12-01T00:00",
    "billing-prolongation": "?from=2026-01-01T00:00&to=2026-12-31T23:59:59",
    "prolongation": "?from=2026-01-01T00:00&to=2026-12-31T23:59:59",
    "quarterly": "?from=2025-10-01T00:00&to=2026-11-30T00:00",
    "search-online": "?from=2026-11-01T00:00&to=2026-11-08T00:00",
    "search-time": "?from=2026-11-01T00:00&to=2026-11-08T00:00",
}
