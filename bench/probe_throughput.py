"""Prober throughput on one core, its CPU cost against Prometheus blackbox_exporter, and outage detection.

    python bench/probe_throughput.py [--kte 300] [--duration 60] [--rates 5000,10000] [--outages 3]
                                     [--no-peer] [--quick]

Three processes, each pinned to a CPU so that "one core" is literal and no CPU is counted twice:

- the K/TE stand-ins (`smart standin serve --kte N`) on the second CPU;
- our side on the first CPU: the scheduler (smart.probes.scheduler) with one "probe" job per stand-in that
  runs exactly `checks.tcp_check` and `checks.main_page_checks` (one TCP probe + one HTTP probe, two
  probes per run), at an interval chosen so that the offered load is each of `--rates` probes/minute. The
  process measures its own CPU time (getrusage) over the measurement window;
- the peer: Debian's prometheus-blackbox-exporter on the first CPU (modules tcp_connect and http_any),
  driven from a process on the second CPU with GET /probe for the same targets at the first rate; its
  CPU time is read from /proc (psutil) and divided by the probes it ran. It also serves /probe over
  HTTP and renders the metrics text, as our process also schedules and builds results: both figures
  are "what one probe costs the prober process".

Then, at the first rate, `--outages` stand-ins get the `refused` fault through the control endpoint and
the time until their TCP result comes back not-ok is measured (the target: within two probe intervals).

Targets (the issue): >= 5,000 TCP+HTTP probes/minute on one core with p99 scheduling delay <= 2 s; CPU
time per probe within 2x of blackbox_exporter's; an outage recorded within two probe intervals.
"""
import argparse
import asyncio
import contextlib
import heapq
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import free_port  # noqa: E402

EXPORTER_NAMES = ["prometheus-blackbox-exporter", "blackbox_exporter"]
EXPORTER_CONFIG = """\
modules:
  tcp_connect:
    prober: tcp
    timeout: 10s
    tcp:
      preferred_ip_protocol: ip4
  http_any:
    prober: http
    timeout: 30s
    http:
      valid_status_codes: [200, 500, 502, 503, 504]
      preferred_ip_protocol: ip4
      follow_redirects: false
"""


def interval_for(targets: int, rate: float) -> float:
    """Seconds between runs of one job so that `targets` jobs of 2 probes each offer `rate` probes/minute."""
    return targets * 2 * 60 / rate


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pin(cpu):
    """A preexec_fn pinning the child (and every thread it starts) to `cpu`; None = no pinning."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


# ---- our prober (child process) ------------------------------------------------------------------------


def prober_child(spec: dict) -> dict:
    os.environ["SMART_DATA_DIR"] = tempfile.mkdtemp(prefix="smart-bench-probe-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smart.settings")
    import django

    django.setup()
    from smart.probes.targets import InstallationTarget

    targets = [
        InstallationTarget(installation_id=i + 1, dealer_id=1, name=name, scheme="http", host="127.0.0.1", port=port,
                           connect_host="127.0.0.1", connect_port=port, connect_scheme="http", ping=False,
                           download=False)
        for i, (name, port) in enumerate(spec["targets"])
    ]
    try:
        return asyncio.run(_prober_phases(spec, targets))
    finally:
        shutil.rmtree(os.environ["SMART_DATA_DIR"], ignore_errors=True)


async def run_probe_job(job) -> list:
    """One TCP probe and one HTTP probe of the main page, as the prober's "probe" job without ICMP."""
    from smart.probes import checks

    tcp, page = await asyncio.gather(checks.tcp_check(job.target), checks.main_page_checks(job.target, job.memory))
    return [tcp, *page]


def _jobs(targets, interval):
    from smart.probes.scheduler import Job

    # one concurrency key per stand-in, as distinct installations have distinct hosts
    return [Job(f"i{t.installation_id}:probe", "probe", t, interval, f"{t.connect_host}:{t.connect_port}")
            for t in targets]


async def _prober_phases(spec, targets) -> dict:
    phases = [await _measure(targets, rate, spec["duration"]) for rate in spec["rates"]]
    outage = await _outage(targets, spec) if spec["outages"] else None
    return {"phases": phases, "outage": outage}


async def _measure(targets, rate: float, duration: float) -> dict:
    from smart.probes.models import Check
    from smart.probes.scheduler import Scheduler

    interval = interval_for(len(targets), rate)
    counts, states = Counter(), Counter()

    def sink(results):
        for r in results:
            if r.check == Check.TCP:
                counts["tcp"] += 1
                counts["tcp_failed"] += not r.ok
            elif r.check == Check.HTTP200:
                counts["http"] += 1
                counts["http_failed"] += not r.code  # no HTTP answer at all; a 503 page is an answer
                states[r.state] += 1

    scheduler = Scheduler(run_probe_job, sink, rng=random.Random(1))
    stop = asyncio.Event()
    cpu0, t0 = cpu_self(), time.monotonic()
    scheduler.sync(_jobs(targets, interval))
    runner = asyncio.create_task(scheduler.run(stop))
    await asyncio.sleep(duration)
    cpu, elapsed, window = cpu_self() - cpu0, time.monotonic() - t0, Counter(counts)
    delays = list(scheduler.delays)
    stop.set()
    await runner
    probes = window["tcp"] + window["http"]
    return {
        "rate": rate, "interval": interval, "elapsed": elapsed, "probes": probes,
        "per_min": probes / elapsed * 60, "cpu": cpu, "cpu_us_per_probe": cpu / probes * 1e6 if probes else None,
        "p99": scheduler.delay_percentile(0.99), "max_delay": max(delays, default=0.0),
        "failures": window["tcp_failed"] + window["http_failed"], "states": dict(states),
        "overlaps": scheduler.overlaps,
    }


async def _outage(targets, spec) -> dict:
    from smart.probes.models import Check
    from smart.probes.scheduler import Scheduler

    rate = spec["rates"][0]
    interval = interval_for(len(targets), rate)
    rng = random.Random(7)
    victims = {t.installation_id: t.name for t in rng.sample(targets, min(spec["outages"], len(targets)))}
    switched, detected = {}, {}

    def sink(results):
        for r in results:
            iid = r.installation_id
            if r.check == Check.TCP and not r.ok and iid in switched and iid not in detected:
                detected[iid] = time.monotonic()

    scheduler = Scheduler(run_probe_job, sink, rng=random.Random(2))
    stop = asyncio.Event()
    scheduler.sync(_jobs(targets, interval))
    runner = asyncio.create_task(scheduler.run(stop))
    async with httpx.AsyncClient(base_url=spec["control"], timeout=10) as control:
        await asyncio.sleep(interval * 1.5)  # every target probed at least once: the steady state
        for iid, name in victims.items():
            switched[iid] = time.monotonic()  # before the switch: the figure errs on the long side
            answer = await control.post(f"/kte/{name}", json={"faults": {"refused": True}})
            answer.raise_for_status()
        deadline = time.monotonic() + 3 * interval + 5
        while len(detected) < len(victims) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        for name in victims.values():
            await control.post(f"/kte/{name}", json={"faults": {"refused": False}})
    stop.set()
    await runner
    took = [detected[iid] - switched[iid] if iid in detected else None for iid in victims]
    return {"interval": interval, "rate": rate, "victims": list(victims.values()), "seconds": took}


# ---- the peer's driver (child process) -----------------------------------------------------------------


def driver_child(spec: dict) -> dict:
    return asyncio.run(_drive(spec))


async def _drive(spec) -> dict:
    import psutil

    exporter = psutil.Process(spec["exporter_pid"])
    ports = [port for _, port in spec["targets"]]
    interval = interval_for(len(ports), spec["rate"])
    loop = asyncio.get_running_loop()
    rng = random.Random(3)
    counts = Counter()
    delays = []
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    sem = asyncio.Semaphore(256)

    async with httpx.AsyncClient(base_url=spec["exporter"], limits=limits, timeout=60) as client:
        async def probe(module, target, due):
            async with sem:
                delays.append(loop.time() - due)
                try:
                    answer = await client.get("/probe", params={"module": module, "target": target})
                    ok = answer.status_code == 200 and "\nprobe_success 1" in answer.text
                except httpx.HTTPError:
                    ok = False
            counts["probes"] += 1
            counts["failed"] += not ok

        await client.get("/probe", params={"module": "tcp_connect", "target": f"127.0.0.1:{ports[0]}"})  # warm
        start = loop.time() + 0.2
        heap = []
        for port in ports:  # each target's TCP and HTTP probe together, first runs spread over an interval
            due = start + rng.uniform(0, interval)
            heapq.heappush(heap, (due, port))
        tasks = set()
        times0 = exporter.cpu_times()
        t0 = time.monotonic()
        while heap[0][0] < start + spec["duration"]:
            due, port = heapq.heappop(heap)
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            for module, target in (("tcp_connect", f"127.0.0.1:{port}"), ("http_any", f"http://127.0.0.1:{port}/docs")):
                task = asyncio.create_task(probe(module, target, due))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            heapq.heappush(heap, (due + interval * (1 + rng.uniform(-0.02, 0.02)), port))
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - t0
        times1 = exporter.cpu_times()
    cpu = (times1.user + times1.system) - (times0.user + times0.system)
    delays.sort()
    return {"probes": counts["probes"], "failed": counts["failed"], "elapsed": elapsed, "cpu": cpu,
            "per_min": counts["probes"] / elapsed * 60,
            "cpu_us_per_probe": cpu / counts["probes"] * 1e6 if counts["probes"] else None,
            "driver_p99": delays[min(len(delays) - 1, int(0.99 * len(delays)))] if delays else 0.0}


# ---- the parent ----------------------------------------------------------------------------------------


def run_child(role: str, spec: dict, cpu, timeout: float) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--role", role, "--spec", json.dumps(spec)],
                          preexec_fn=pin(cpu), capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{role} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def wait_http(url: str, proc, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.1)


@contextlib.contextmanager
def standins(kte: int, cpu):
    data_dir = tempfile.mkdtemp(prefix="smart-bench-standin-")
    control_port = free_port()
    env = {**os.environ, "SMART_DATA_DIR": data_dir}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "smart", "standin", "serve", "--kte", str(kte), "--online", "0",
                             "--licman", "no", "--use-interval", "0", "--control-port", str(control_port)],
                            env=env, stdout=subprocess.DEVNULL, preexec_fn=pin(cpu))
    control = f"http://127.0.0.1:{control_port}/control"
    try:
        wait_http(control, proc, "smart standin serve")
        state = httpx.get(control, timeout=30).json()["kte"]
        yield control, [(name, s["port"]) for name, s in state.items()]
    finally:
        proc.terminate()
        proc.wait(15)
        shutil.rmtree(data_dir, ignore_errors=True)


def find_exporter() -> tuple[str | None, str]:
    """The blackbox_exporter binary, installing Debian's package when it is missing; (path, reason)."""
    for name in EXPORTER_NAMES:
        if path := shutil.which(name):
            return path, ""
    if not shutil.which("apt-get"):
        return None, "not installed and no apt-get"
    if os.geteuid() != 0:
        return None, "not installed (apt-get install -y prometheus-blackbox-exporter needs root)"
    print("installing prometheus-blackbox-exporter (apt-get) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(["apt-get", "install", "-y", "prometheus-blackbox-exporter"], env=env,
                              capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return None, "apt-get install timed out"
    path = shutil.which(EXPORTER_NAMES[0])
    if done.returncode != 0 or not path:
        last = (done.stderr or done.stdout).strip().splitlines()
        return None, f"apt-get install failed: {last[-1] if last else done.returncode}"
    return path, ""


def run_peer(binary: str, spec: dict, exporter_cpu, driver_cpu, timeout: float) -> dict:
    workdir = tempfile.mkdtemp(prefix="smart-bench-blackbox-")
    config = Path(workdir) / "blackbox.yml"
    config.write_text(EXPORTER_CONFIG)
    port = free_port()
    proc = subprocess.Popen([binary, f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}",
                             "--log.level=warn"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=pin(exporter_cpu))
    try:
        wait_http(f"http://127.0.0.1:{port}/-/healthy", proc, "blackbox_exporter", timeout=30)
        return run_child("driver", {**spec, "exporter": f"http://127.0.0.1:{port}", "exporter_pid": proc.pid},
                         driver_cpu, timeout)
    finally:
        proc.terminate()
        proc.wait(15)
        shutil.rmtree(workdir, ignore_errors=True)


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kte", type=int, help="K/TE stand-ins (targets); default 300, quick 50")
    parser.add_argument("--duration", type=float, help="seconds per measured rate; default 60, quick 15")
    parser.add_argument("--rates", default="5000,10000",
                        help="offered probes/minute, comma-separated; the first is the target rate")
    parser.add_argument("--outages", type=int, help="stand-ins switched to `refused`; default 3, quick 1 (0 = skip)")
    parser.add_argument("--no-peer", action="store_true", help="skip the blackbox_exporter comparison")
    parser.add_argument("--quick", action="store_true", help="50 targets, 15 s per rate (about a minute)")
    parser.add_argument("--role", choices=["prober", "driver"], help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        work = prober_child if args.role == "prober" else driver_child
        print(json.dumps(work(json.loads(args.spec))))
        return

    kte = args.kte or (50 if args.quick else 300)
    duration = args.duration or (15 if args.quick else 60)
    outages = args.outages if args.outages is not None else (1 if args.quick else 3)
    rates = [float(r) for r in args.rates.split(",")]
    cpus = sorted(os.sched_getaffinity(0))
    ours_cpu = cpus[0]
    other_cpu = cpus[1] if len(cpus) > 1 else None  # one CPU only: the stand-ins share it (and are not pinned)
    if other_cpu is None:
        ours_cpu = None

    peer, peer_reason = None, ""
    with standins(kte, other_cpu) as (control, targets):
        spec = {"targets": targets, "control": control, "rates": rates, "duration": duration, "outages": outages}
        budget = len(rates) * (duration + 30) + 120
        ours = run_child("prober", spec, ours_cpu, budget)
        if args.no_peer:
            peer_reason = "skipped (--no-peer)"
        else:
            binary, peer_reason = find_exporter()
            if binary:
                try:
                    peer = run_peer(binary, {"targets": targets, "rate": rates[0], "duration": duration},
                                    ours_cpu, other_cpu, duration + 120)
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
                    peer_reason = f"failed to run ({str(exc).strip().splitlines()[0]})"

    pinning = (f"prober pinned to CPU {ours_cpu}, stand-ins on CPU {other_cpu}" if other_cpu is not None
               else "one CPU: nothing pinned, the stand-ins share it")
    print(f"prober throughput: {kte} K/TE stand-ins in a separate process, {pinning}, {duration:g} s per rate")
    print("  one probe = one TCP connect or one HTTP GET of the main page (each run of a job is 2 probes)")
    rows = []
    for p in ours["phases"]:
        name = f"offered {p['rate']:,.0f}/min (interval {p['interval']:.2f} s)"
        rows += [
            (name, "", "", ""),
            ("  achieved probes/min", f"{p['per_min']:,.0f}", "", ""),
            ("  p99 / max scheduling delay", f"{p['p99']:.3f} s / {p['max_delay']:.3f} s", "p99 <= 2 s",
             verdict(p["p99"] <= 2)),
            ("  CPU (one core)", f"{p['cpu']:.2f} s = {p['cpu'] / p['elapsed']:.0%} of the core", "", ""),
            ("  CPU per probe", f"{p['cpu_us_per_probe']:.0f} µs", "", ""),
            ("  failures", f"{p['failures']}", "0", verdict(p["failures"] == 0)),
            ("  main page states", ", ".join(f"{k} {v}" for k, v in sorted(p["states"].items())), "", ""),
        ]
    sustained = max((p["per_min"] for p in ours["phases"] if p["p99"] <= 2 and not p["failures"]), default=0.0)
    rows.append(("sustained probes/min (p99 <= 2 s, 0 failures)", f"{sustained:,.0f}", ">= 5,000",
                 verdict(sustained >= 5000)))
    first = ours["phases"][0]
    if peer:
        ratio = first["cpu_us_per_probe"] / peer["cpu_us_per_probe"]
        rows += [
            (f"CPU per probe at {rates[0]:,.0f}/min", "", "", ""),
            ("  ours", f"{first['cpu_us_per_probe']:.0f} µs", "", ""),
            ("  blackbox_exporter", f"{peer['cpu_us_per_probe']:.0f} µs ({peer['probes']} probes, "
             f"{peer['per_min']:,.0f}/min, {peer['failed']} failed)", "", ""),
            ("  ratio ours / blackbox_exporter", f"{ratio:.2f}", "<= 2.0", verdict(ratio <= 2.0)),
        ]
    else:
        rows.append(("blackbox_exporter", f"unavailable ({peer_reason})" if "skipped" not in peer_reason
                     else peer_reason, "", ""))
    outage = ours["outage"]
    if outage:
        took = outage["seconds"]
        missed = sum(t is None for t in took)
        worst = max((t for t in took if t is not None), default=None)
        if missed or worst is None:
            rows.append(("outage recorded after", f"{missed} of {len(took)} not recorded", "<= 2 intervals", "MISSED"))
        else:
            intervals = worst / outage["interval"]
            rows.append((f"outage recorded after (worst of {len(took)})",
                         f"{worst:.2f} s = {intervals:.2f} intervals", "<= 2 intervals", verdict(intervals <= 2)))
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows if r[2])
    print(f"  {'figure':<{width}}  {'measured':<{value_width}}  target")
    for label, value, target, mark in rows:
        line = f"  {label:<{width}}  {value:<{value_width}}  {target:<14}  {mark}" if target else f"  {label:<{width}}  {value}"
        print(line.rstrip())


if __name__ == "__main__":
    main()
