"""Mutation fuzzer for smart.formats: only ParseFailure may ever escape parse_report.

    python bench/fuzz_formats.py [ITERATIONS] [--seed N] [--quiet]

Seeds are valid files built with the writer (XML in UTF-8 and windows-1251, SQLite, zips of both, a
.status, an error page). Each iteration picks a seed (or splices two), applies 1-8 mutations (bit flips,
byte sets, interesting values, inserts, deletes, duplications, truncation) and parses the result.
Prints iterations/s, the parse statuses seen, and every exception other than ParseFailure with the
input that caused it (hex, first 200 bytes); exits 1 if there was any.
"""
import argparse
import collections
import random
import sys
import time
import traceback
import zipfile
from datetime import date, datetime, timezone
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smart.formats import ParseFailure, parse_report, sqlite_bytes, write_xml  # noqa: E402
from smart.formats.model import (  # noqa: E402
    DbError, Header, RegFile, SearchEntry, SeatUsage, Session, SysinfoReport, User, UserCounters, Volume,
)

ZONE = "Europe/Moscow"
RECEIVED = datetime(2024, 5, 14, 7, 0, tzinfo=timezone.utc)
INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, ord("<"), ord(">"), ord("&"), ord('"'), ord("\n"), 0x00]


def _report() -> SysinfoReport:
    t = datetime(2024, 5, 14, 6, 0, tzinfo=timezone.utc)
    return SysinfoReport(
        header=Header(generated_at=t, regnum="123", legal_name="ООО Ромашка", catalogues=("/docs",)),
        regfile=RegFile(5, date(2025, 1, 1)),
        volumes=(Volume("vol01", r"D:\base", (DbError("product", 2007, 4103, "Нет прав"),)),),
        users=(User("ivanov", "Иванов", registered_on=date(2023, 1, 1), last_login_at=t),),
        seat_usage=SeatUsage(1), sessions=(Session("ivanov", t, "10.0.0.1", "Chrome", "CORP"),),
        counters=(UserCounters("ivanov", 1, 2, 3, 4, 5, 6, 7, 8, 9, 5, 4),),
        searches=(SearchEntry(t, "ivanov", "кодекс", "intelligent", "/docs", "ksrv", 3, 0.5, False),),
    )


def seeds() -> list[bytes]:
    report = _report()
    xml = write_xml(report, time_zone=ZONE)
    db = sqlite_bytes(report, time_zone=ZONE)
    zipped = []
    for name, member in (("sysinfo.xml", xml), ("sysinfo.sqlite", db)):
        buffer = BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(name, member)
        zipped.append(buffer.getvalue())
    status = b'date: Tue, 14 May 2024 10:00:00 GMT\r\n# TYPE kserver_up gauge\r\nkserver_up{path="/docs"} 1\r\n'
    error = b"HTTP/1.1 503 Service Unavailable\r\n\r\n<html><title>503</title></html>"
    return [xml, write_xml(report, time_zone=ZONE, encoding="windows-1251"), db, *zipped, status, error]


def mutate(data: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    blob = bytearray(data)
    if rng.random() < 0.1:  # splice with another seed
        other = rng.choice(pool)
        blob = blob[: rng.randrange(len(blob) + 1)] + other[rng.randrange(len(other) + 1):]
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(blob)) if blob else 0
        op = rng.randrange(7)
        if op == 0 and blob:
            blob[at] ^= 1 << rng.randrange(8)
        elif op == 1 and blob:
            blob[at] = rng.randrange(256)
        elif op == 2 and blob:
            blob[at] = rng.choice(INTERESTING)
        elif op == 3:
            blob[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 4:
            del blob[at: at + rng.randint(1, 32)]
        elif op == 5 and blob:
            end = min(len(blob), at + rng.randint(1, 64))
            blob[at:at] = blob[at:end] * rng.randint(1, 4)
        elif op == 6:
            del blob[rng.randrange(len(blob) + 1):]
    return bytes(blob)


def run(iterations: int, seed: int, quiet: bool) -> int:
    rng = random.Random(seed)
    pool = seeds()
    statuses: collections.Counter = collections.Counter()
    crashes = 0
    start = time.perf_counter()
    for i in range(iterations):
        data = mutate(rng.choice(pool), rng, pool)
        try:
            parse_report(data, time_zone=ZONE, received_at=RECEIVED)
            statuses["ok"] += 1
        except ParseFailure as exc:
            statuses[exc.status] += 1
        except Exception:  # noqa: BLE001 - finding these is the point
            crashes += 1
            print(f"iteration {i}: non-ParseFailure exception for input {data[:200].hex()}", file=sys.stderr)
            traceback.print_exc()
    elapsed = time.perf_counter() - start
    print(f"{iterations} iterations in {elapsed:.1f} s: {iterations / elapsed:.0f} iterations/s (seed {seed})")
    if not quiet:
        print("outcomes: " + ", ".join(f"{k}={v}" for k, v in statuses.most_common()))
    print(f"non-ParseFailure exceptions: {crashes}")
    return 1 if crashes else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("iterations", type=int, nargs="?", default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    return run(args.iterations, args.seed, args.quiet)


if __name__ == "__main__":
    sys.exit(main())
