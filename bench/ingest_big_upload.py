"""Memory of one large upload: a 200 MB report streamed with curl to `smart serve`.

    python bench/ingest_big_upload.py [--mb 200]

Prints the server's RSS before and at its peak during the upload; the target is a rise of <= 50 MB.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import smart_server  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "BIGCLIENT.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive, archive.open("sysinfo.xml", "w", force_zip64=True) as member:
            for _ in range(args.mb):
                member.write(os.urandom(1024 * 1024))
        size = path.stat().st_size
        with smart_server(["BIGCLIENT"], env={"SMART_UPLOAD_MAX_BYTES": str(size + 2**20)}) as server:
            time.sleep(1)
            idle = server.rss_mb()
            server.start_rss_sampler(every=0.05)
            started = time.monotonic()
            out = subprocess.run(
                ["curl", "-sS", "-H", "upload: yes", "-H", f"dealer: {server.dealer}", "-F", f"file=@{path}",
                 f"{server.url}/upload?token={server.token}"], capture_output=True, text=True, check=True,
            ).stdout
            elapsed = time.monotonic() - started
            peak = server.stop_rss_sampler()
            stored = server.count_reports()
    print(f"single upload of {size / 2**20:.0f} MB with curl: answer {out} in {elapsed:.1f} s, reports recorded: {stored}")
    print(f"  server memory: {idle:.0f} MB before, {peak:.0f} MB peak, rise {peak - idle:.0f} MB (target <= 50 MB)")
    print("  TARGET MET" if peak - idle <= 50 and '"ok":true' in out else "  TARGET MISSED")


if __name__ == "__main__":
    main()
