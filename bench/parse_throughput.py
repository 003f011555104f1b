"""Throughput of the sysinfo XML parser against bare lxml iterparse on the same ~5 MB file.

    python bench/parse_throughput.py [--mb 5] [--repeat 5] [--min-ratio 0.5]

Generates a reference sysinfo with many users, sessions and search-log rows (through the writer), then
times (best of --repeat) a bare `lxml.etree.iterparse` pass that consumes and clears every element, and
`smart.formats.parse_report` on the same bytes. Prints both in MB/s and the ratio; exits 1 when the
ratio is below --min-ratio.
"""
import argparse
import sys
import time
from datetime import date, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import etree  # noqa: E402

from smart.formats import parse_report, write_xml  # noqa: E402
from smart.formats.model import (  # noqa: E402
    CounterPeriod, Header, RegFile, SearchEntry, SeatUsage, Session, SysinfoReport, User, UserCounters,
)

ZONE = "Europe/Moscow"
T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)


def build_report(target_mb: float) -> SysinfoReport:
    """Rows in the proportions of a big installation: users, their counters, sessions, searches."""
    scale = max(1, int(target_mb * 1000))  # ~1 KB of XML per unit below
    users = tuple(
        User(f"user{i:05d}", f"Иванов Иван Иванович {i}", f"+7 900 {i:07d}", f"user{i}@example.ru",
             "ведущий юрист", "Правовой отдел", "CORP", "Юристы", date(2023, 1, 1) + timedelta(days=i % 400),
             T0 + timedelta(minutes=i))
        for i in range(scale)
    )
    counters = tuple(UserCounters(u.login, i, i % 7, i % 50, i % 5, i % 9, i % 30, i % 4, i % 3, i % 40,
                                  i % 25, i % 15) for i, u in enumerate(users))
    sessions = tuple(Session(users[i].login, T0 + timedelta(seconds=37 * i), f"10.0.{i % 250}.{i % 200}",
                             "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0", "CORP")
                     for i in range(scale // 2))
    searches = tuple(
        SearchEntry(T0 + timedelta(seconds=13 * i), users[i % scale].login, f"налоговый кодекс статья {i % 400}",
                    "intelligent" if i % 3 else "attribute", "/docs", "ksrv" if i % 5 else "kassist",
                    i % 20, round(0.01 * (i % 500), 2), i % 97 == 0)
        for i in range(scale * 2)
    )
    return SysinfoReport(
        header=Header(generated_at=T0 + timedelta(days=13), regnum="123456", legal_name="ООО Ромашка",
                      server="6.4.5.46 (x64)", server_version="6.4.5.46", catalogues=("/docs",)),
        regfile=RegFile(seats=scale, expires_on=date(2025, 1, 1)), users=users,
        seat_usage=SeatUsage(len(sessions)), sessions=sessions, counter_period=CounterPeriod(date(2024, 5, 1)),
        counters=counters, searches=searches,
    )


def bare_iterparse(data: bytes) -> int:
    count = 0
    for _, el in etree.iterparse(BytesIO(data), events=("end",)):
        el.clear()
        count += 1
    return count


def ours(data: bytes) -> int:
    report = parse_report(data, time_zone=ZONE, received_at=T0)
    return len(report.sysinfo.users) + len(report.sysinfo.searches)


def best_times(data: bytes, repeat: int) -> tuple[float, float]:
    """Best of `repeat` for each, measured alternately so both see the same machine load."""
    bare = mine = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        bare_iterparse(data)
        middle = time.perf_counter()
        ours(data)
        bare, mine = min(bare, middle - start), min(mine, time.perf_counter() - middle)
    return bare, mine


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="approximate XML size in MB")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--min-ratio", type=float, default=0.5)
    args = parser.parse_args(argv)
    data = write_xml(build_report(args.mb), time_zone=ZONE)
    megabytes = len(data) / 1e6
    ours(data)  # warm-up: mapping load and generated extractors
    bare, mine = best_times(data, args.repeat)
    ratio = bare / mine
    print(f"file: {megabytes:.2f} MB, {bare_iterparse(data)} elements")
    print(f"bare lxml iterparse: {megabytes / bare:7.1f} MB/s ({bare * 1000:.0f} ms)")
    print(f"smart.formats:       {megabytes / mine:7.1f} MB/s ({mine * 1000:.0f} ms)")
    print(f"ratio: {ratio:.2f} (target >= {args.min_ratio})")
    return 0 if ratio >= args.min_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
