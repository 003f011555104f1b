"""Ingest load: N concurrent legacy uploads of ~1 MB zips against `smart serve` on loopback.

Each of N connections uploads back to back (closed loop) for --seconds, every upload with distinct
content (so each one is hashed, fsynced and recorded, never deduplicated), under its own installation
name. Prints throughput, latency percentiles, errors and the server's peak RSS.

    python bench/ingest_load.py --clients 200 --seconds 60 [--database-url postgres://...]

The per-name hourly rate limit is raised out of reach for the run (it is still checked on every upload):
here every client uploads many times a minute, which the limit exists to refuse.
"""
import argparse
import asyncio
import io
import os
import random
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import percentile, smart_server  # noqa: E402


def make_zip(size: int, seed: int) -> bytes:
    """A zip of about `size` bytes of incompressible data (stored, like an already-compressed sysinfo)."""
    rng = random.Random(seed)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("sysinfo.xml", rng.randbytes(size))
    return buffer.getvalue()


def request_bytes(host, port, token, dealer, name, content: bytes) -> tuple[bytes, bytes]:
    boundary = b"----smartbench" + os.urandom(8).hex().encode()
    body_head = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + name.encode() + b'.zip"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    body_tail = b"\r\n--" + boundary + b"--\r\n"
    length = len(body_head) + len(content) + len(body_tail)
    head = (
        f"POST /upload?token={token} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: curl/8.5.0\r\n"
        f"upload: yes\r\ndealer: {dealer}\r\nContent-Length: {length}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary.decode()}\r\n\r\n"
    ).encode() + body_head
    return head, body_tail


async def read_response(reader) -> int:
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    return status


async def client(idx, args, server, payload: bytearray, deadline, latencies, errors):
    name = f"BENCH-{idx:04d}"
    reader, writer = await asyncio.open_connection(server.host, server.port)
    seq = 0
    try:
        while time.monotonic() < deadline:
            seq += 1
            payload[-8:] = (idx * 1_000_000 + seq).to_bytes(8, "big")  # distinct content every time
            head, tail = request_bytes(server.host, server.port, server.token, server.dealer, name, payload)
            start = time.monotonic()
            writer.write(head)
            writer.write(payload)
            writer.write(tail)
            await writer.drain()
            status = await read_response(reader)
            latencies.append(time.monotonic() - start)
            if status != 200:
                errors[status] = errors.get(status, 0) + 1
    except (ConnectionError, asyncio.IncompleteReadError) as exc:
        errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
    finally:
        writer.close()


async def run(args, server):
    payloads = [bytearray(make_zip(args.size, i)) for i in range(args.clients)]
    latencies, errors = [], {}
    deadline = time.monotonic() + args.seconds
    started = time.monotonic()
    await asyncio.gather(*(client(i, args, server, payloads[i], deadline, latencies, errors) for i in range(args.clients)))
    return latencies, errors, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: embedded SQLite)")
    parser.add_argument("--web-processes", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0,
                        help="processing threads inside the server (0: ingest only, processing elsewhere)")
    args = parser.parse_args()
    names = [f"BENCH-{i:04d}" for i in range(args.clients)]
    with smart_server(names, database_url=args.database_url, web_processes=args.web_processes, workers=args.workers,
                      env={"SMART_UPLOADS_PER_NAME_PER_HOUR": "0"}) as server:
        baseline_rss = server.rss_mb()
        server.start_rss_sampler()
        cpu_before = server.cpu_seconds()
        latencies, errors, elapsed = asyncio.run(run(args, server))
        cpu = server.cpu_seconds() - cpu_before
        peak = server.stop_rss_sampler()
        stored = server.count_reports()
    db = "PostgreSQL" if args.database_url else "SQLite"
    print(f"ingest load: {args.clients} concurrent clients, {args.size / 1e6:.1f} MB zips, {elapsed:.0f} s, {db}, "
          f"{args.web_processes} web process(es), {args.workers} processing thread(s) in the server")
    print(f"  uploads answered: {len(latencies)}  ({len(latencies) / elapsed:.1f}/s, {len(latencies) * args.size / elapsed / 1e6:.1f} MB/s)")
    print(f"  reports recorded: {stored}")
    print(f"  errors:           {sum(errors.values())} {errors or ''}")
    print(f"  time to answer:   p50 {percentile(latencies, 50):.3f} s  p95 {percentile(latencies, 95):.3f} s  "
          f"p99 {percentile(latencies, 99):.3f} s  max {max(latencies):.3f} s")
    print(f"  server CPU:       {cpu / elapsed * 100:.0f} % of one core, {cpu / max(1, len(latencies)) * 1000:.1f} ms per upload")
    print(f"  server memory:    {baseline_rss:.0f} MB idle, {peak:.0f} MB peak (target <= 300 MB)")
    ok = not errors and percentile(latencies, 99) <= 1.0 and peak <= 300 and stored == len(latencies)
    print("  TARGET MET" if ok else "  TARGET MISSED")


if __name__ == "__main__":
    main()
