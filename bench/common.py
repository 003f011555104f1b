"""Shared bench helpers: a real `smart serve` in a subprocess over a fresh data dir, and its memory."""
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

SMART = [sys.executable, "-m", "smart"]


def percentile(values, pct):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(pct / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_postgres(url: str, name: str = "smart_bench") -> str:
    """A new empty database on the server of `url`; returns its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def setup_django(database_url: str, db_name: str) -> None:
    """Configure Django in this process over a fresh data dir and, with a URL, a fresh PostgreSQL database."""
    os.environ["SMART_DATA_DIR"] = tempfile.mkdtemp(prefix=f"{db_name}-")
    if database_url:
        os.environ["DATABASE_URL"] = fresh_postgres(database_url, db_name)
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smart.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class Server:
    def __init__(self, proc, host, port, env, dealer, token):
        self.proc, self.host, self.port, self.env = proc, host, port, env
        self.dealer, self.token = dealer, token
        self._peak = 0.0
        self._stop = threading.Event()
        self._sampler = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def rss_mb(self) -> float:
        proc = psutil.Process(self.proc.pid)
        procs = [proc, *proc.children(recursive=True)]
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total / 2**20

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server and its children so far."""
        proc = psutil.Process(self.proc.pid)
        total = 0.0
        for p in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = p.cpu_times()
                total += times.user + times.system
        return total

    def start_rss_sampler(self, every: float = 0.1):
        def sample():
            while not self._stop.wait(every):
                self._peak = max(self._peak, self.rss_mb())

        self._peak = self.rss_mb()
        self._sampler = threading.Thread(target=sample, daemon=True)
        self._sampler.start()

    def stop_rss_sampler(self) -> float:
        self._stop.set()
        self._sampler.join()
        return self._peak

    def smart(self, *args) -> str:
        return subprocess.run([*SMART, *args], env=self.env, check=True, capture_output=True, text=True).stdout

    def count_reports(self) -> int:
        code = "from smart.ingest.models import Report; print(Report.objects.count())"
        return int(self.smart("shell", "-c", code).strip().splitlines()[-1])


@contextlib.contextmanager
def smart_server(names, database_url="", web_processes=1, env=None, workers=1):
    """Start `smart serve` with a dealer whose registry holds `names` (pushed installations)."""
    data_dir = tempfile.mkdtemp(prefix="smart-bench-")
    run_env = {**os.environ, "SMART_DATA_DIR": data_dir, **(env or {})}
    run_env.pop("DATABASE_URL", None)
    if database_url:
        run_env["DATABASE_URL"] = fresh_postgres(database_url)
        subprocess.run([*SMART, "migrate", "-v0"], env=run_env, check=True)
    created = json.loads(
        subprocess.run([*SMART, "createdealer", "--code", "BNCH", "--name", "bench", "--json"],
                       env=run_env, check=True, capture_output=True, text=True).stdout
    )
    subprocess.run([*SMART, "createuser", "--dealer", "BNCH", "--username", "bench-manager", "--email",
                    "bench@example.com"], env=run_env, check=True, capture_output=True)
    registry = Path(data_dir) / "managers.csv"
    registry.write_text("".join(f"{n},bench-manager,bench@example.com,smartupload,download,upload,process,"
                                f"donotping,-1,3600,604800\n" for n in names))
    subprocess.run([*SMART, "import-registry", "--dealer", "BNCH", str(registry)], env=run_env, check=True,
                   capture_output=True)
    port = free_port()
    proc = subprocess.Popen([*SMART, "serve", "--port", str(port), "--web-processes", str(web_processes),
                             "--workers", str(workers), "--no-migrate"], env=run_env)
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("smart serve did not start")
            time.sleep(0.1)
        yield Server(proc, "127.0.0.1", port, run_env, created["dealer"], created["token"])
    finally:
        proc.terminate()
        proc.wait(15)
        shutil.rmtree(data_dir, ignore_errors=True)
