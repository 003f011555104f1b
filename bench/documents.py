"""Time to build the documents managers hand out, for one client with a year of data.

    python bench/documents.py [--database-url postgres://...] [--repeat 7]

Seeds one client with two installations, 13 months of daily rollups, 20,000 search-log entries (a fifth of
them empty), kAssist days, and prints the median and worst time of: the prolongation figures (the same
queries as the dashboard), the yearly prolongation PDF end to end (target <= 2 s), the XLSX, and the export
of the client's empty searches.
"""
import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import setup_django  # noqa: E402

UTC = timezone.utc


def seed():
    from smart.metrics.models import DailyRollup, KassistDay, SearchEvent
    from smart.registry.models import Client, Dealer, Installation, Role, User

    rng = random.Random(4)
    dealer = Dealer.objects.create(code="0042", name="kodeks")
    manager = User.objects.create(username="mgr", role=Role.MANAGER, dealer=dealer, full_name="Иванова Анна")
    client = Client.objects.create(dealer=dealer, slug="ZAVOD", display_name="Завод", legal_name="АО «Звезда»")
    client.managers.add(manager)
    insts = [Installation.objects.create(dealer=dealer, client=client, kind="pushed", name=f"ZAVOD-{k}") for k in (1, 2)]
    start = date(2025, 12, 1)
    days = [start + timedelta(days=d) for d in range(396)]
    DailyRollup.objects.bulk_create([
        DailyRollup(installation=i, day=d, reports=24, documents_opened=rng.randint(50, 400), saves=rng.randint(0, 40),
                    prints=rng.randint(0, 30), refusals_no_seats=rng.randint(0, 3), db_requests=rng.randint(100, 900),
                    empty_searches=rng.randint(0, 20), kassist_requests=rng.randint(0, 15))
        for i in insts for d in days], batch_size=2000)
    KassistDay.objects.bulk_create([KassistDay(installation=i, day=d, unique_links=3, unmatched_links=1, all_links=5,
                                               active_links=4, report_time=datetime(d.year, d.month, d.day, 12, tzinfo=UTC))
                                    for i in insts for d in days], batch_size=2000)
    words = ["ГОСТ", "СНиП", "договор", "аренда", "охрана труда", "пожарная", "НДС", "отпуск", "увольнение", "КоАП"]
    SearchEvent.objects.bulk_create([
        SearchEvent(installation=insts[k % 2], fingerprint=f"f{k}", at=datetime(2026, 1, 1, tzinfo=UTC)
                    + timedelta(minutes=23 * k), login=f"u{k % 40}",
                    text=f"{rng.choice(words)} {rng.randint(1, 300)}", results=0 if k % 5 == 0 else rng.randint(1, 99),
                    search_type="intelligent")
        for k in range(20000)], batch_size=5000)
    return client


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times), result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default="")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    setup_django(args.database_url, "smart_bench_documents")
    from smart.reports import documents

    client = seed()
    db = "PostgreSQL" if args.database_url else "SQLite"
    rows = [
        ("prolongation figures (year table + kAssist + empty)", lambda: documents.prolongation(client, 2026), 0.2),
        ("prolongation PDF, end to end", lambda: documents.prolongation_pdf(documents.prolongation(client, 2026)), 2.0),
        ("prolongation XLSX, end to end", lambda: documents.prolongation_xlsx(documents.prolongation(client, 2026)), 2.0),
        ("empty searches export (XLSX)", lambda: documents.searches_xlsx(
            client, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), empty_only=True), 2.0),
    ]
    print(f"documents for one client with a year of data ({db}), {args.repeat} runs each")
    print(f"{'what':<52} {'median s':>9} {'worst s':>8} {'target s':>9}  size")
    for label, fn, target in rows:
        med, worst, out = timed(fn, args.repeat)
        size = f"{len(out) / 1024:.0f} KB" if isinstance(out, bytes) else ""
        flag = "ok" if worst <= target else "OVER"
        print(f"{label:<52} {med:>9.3f} {worst:>8.3f} {target:>9.1f}  {size} {flag}")


if __name__ == "__main__":
    main()
