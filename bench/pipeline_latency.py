"""Upload → facts queryable: time from the start of an upload until its report is processed.

    python bench/pipeline_latency.py [--mb 5] [--reports 20] [--database-url postgres://...]

Uploads a sequence of hourly sysinfo reports of ~5 MB uncompressed (a big installation: thousands of
users and sessions, a search log of the last 24 hours) to `smart serve`, and after each one polls `HEAD /files/<name>` until its
X-Smart-Parse-Status leaves `queued`. Prints p50/p95/p99; the target is p99 <= 2 s. The same run times
bare parsing of one report, as the baseline that processing adds storage to.
"""
import argparse
import dataclasses
import io
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import percentile, smart_server  # noqa: E402
from parse_throughput import build_report  # noqa: E402

from smart.formats import parse_report, write_xml  # noqa: E402

ZONE = "Europe/Moscow"


LOG_HOURS = 24  # each report's search log covers the last day: consecutive reports overlap (1/24 new)


def report_at(base, hour: int):
    """The installation `hour` hours after `base`: its search log slides on by one hour (the rest is
    already stored from earlier reports), and a tenth of the users have worked since the last report."""
    per_hour = max(1, len(base.searches) // LOG_HOURS)
    start = base.header.generated_at
    header = dataclasses.replace(base.header, generated_at=start + timedelta(hours=hour + LOG_HOURS))
    n = len(base.searches)
    # search g of the installation's whole history is the same entry (time to the second, login, text)
    # in every report that lists it
    searches = tuple(
        dataclasses.replace(base.searches[g % n], at=start + timedelta(seconds=g * 3600 // per_hour),
                            text=f"{base.searches[g % n].text} #{g}")
        for g in range(hour * per_hour, hour * per_hour + n)
    )
    counters = tuple(dataclasses.replace(c, db_requests=(c.db_requests or 0) + (hour + i) // 10)
                     for i, c in enumerate(base.counters))
    return dataclasses.replace(base, header=header, searches=searches, counters=counters)


def zipped(xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sysinfo.xml", xml)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=5)
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    base = build_report(args.mb)
    files = [zipped(write_xml(report_at(base, h), time_zone=ZONE)) for h in range(args.reports)]
    xml_size = len(write_xml(base, time_zone=ZONE))
    t = time.perf_counter()
    parse_report(files[0], time_zone=ZONE, received_at=base.header.generated_at)
    parse_s = time.perf_counter() - t
    latencies = []
    with smart_server(["BIG"], database_url=args.database_url, env={"SMART_UPLOADS_PER_NAME_PER_HOUR": "0"}) as server:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for content in files:
                started = time.monotonic()
                answer = client.post("/upload", params={"token": server.token},
                                     headers={"upload": "yes", "dealer": server.dealer}, files={"file": ("BIG.zip", content)})
                assert answer.status_code == 200, answer.text
                status = "queued"
                while status == "queued" and time.monotonic() - started < 120:
                    time.sleep(0.05)
                    check = client.head("/files/BIG.zip", params={"token": server.token},
                                        headers={"upload": "yes", "dealer": server.dealer})
                    assert check.status_code == 200, (check.status_code, check.headers)
                    status = check.headers["x-smart-parse-status"]
                assert status == "ok", status
                latencies.append(time.monotonic() - started)
    db = "PostgreSQL" if args.database_url else "SQLite"
    print(f"upload → facts queryable, {args.reports} reports of {xml_size / 1e6:.1f} MB uncompressed "
          f"({len(files[0]) / 1e6:.2f} MB zipped), {db}")
    print(f"  baseline: parsing one report alone {parse_s:.2f} s")
    print(f"  first report (every user and session new): {latencies[0]:.2f} s")
    print(f"  p50 {percentile(latencies, 50):.2f} s  p95 {percentile(latencies, 95):.2f} s  "
          f"p99 {percentile(latencies, 99):.2f} s  max {max(latencies):.2f} s")
    print("  TARGET MET (p99 <= 2 s)" if percentile(latencies, 99) <= 2 else "  TARGET MISSED (p99 <= 2 s)")


if __name__ == "__main__":
    main()
