"""One alert evaluation cycle over 10,000 firing instances (target: <= 2 s, SQLite and PostgreSQL).

    python bench/alerts_eval.py [--installations 10000] [--dealers 20] [--refused] [--database-url postgres://...]
                                [--db-name smart_bench_alerts_eval]

Fills a fresh database (DATABASE_URL or --database-url: a new database, --db-name, on that server,
dropped and created again; else SQLite in a temporary SMART_DATA_DIR) with N pulled installations whose TCP check has been failing for ten
minutes (CheckState rows as the prober leaves them; every other probe check healthy), then times
`smart.alerts.engine.evaluate()` — every supported catalogue rule, the Count roll-ups included:

- the first cycle, which creates the N KodeksTcpStatus instances and fires them (their `for` of 180 s
  has elapsed) together with the Count roll-ups;
- ten steady-state cycles a probe interval (60 s) apart, all N already firing and nothing changing but
  the time each check last ran: in these every instance's `last_seen_at` comes due once (after
  lifecycle.LAST_SEEN_STEP to twice that, spread by fingerprint). The target applies to the slowest;
- the prober's path: results_recorded → evaluate(evaluation="on_check", installation_ids=…) once per
  writer batch (500 installations), over all N;
- the recovery cycle: all N back, N RESOLVED flips with their time to resolve.

Each line gives the wall time, the process's CPU time (SQLite works in this process; under a loaded
machine CPU is the steadier figure) and how much of the wall time went to lifecycle.apply and to the
condition functions (the rest: the engine's inhibition and mute look-ups, transactions). For comparison
it times what the lifecycle did before it wrote only changed rows: `.save()` of every firing instance,
in one transaction, on each cycle (the reads are the same, so this is the difference). `--refused`
also fails http200 and proxy, as a refused port does: 2N more instances, held pending by inhibition.
"""
import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import setup_django  # noqa: E402

UTC = timezone.utc
TARGET_S = 2.0
PER_BATCH = 500  # installations per results_recorded: the writer's 2,000 results of ~4 checks each
HEALTHY = ("http200", "Maintenance", "proxy", "auth", "key", "warning", "limit")


def fill(n: int, dealers: int, at: datetime, refused: bool) -> list[int]:
    """N pulled installations spread over `dealers` dealers, their check states at `at`: tcp failing
    for ten minutes (and, with `refused`, http200 and proxy too), the rest healthy."""
    from smart.probes.models import CheckState
    from smart.registry.models import Client, Dealer, Installation

    made = Dealer.objects.bulk_create([Dealer(code=f"B{d:03d}", name=f"bench{d}") for d in range(dealers)])
    clients = Client.objects.bulk_create([Client(dealer=made[i % dealers], slug=f"c{i}", display_name=f"Client {i}")
                                          for i in range(max(1, n // 10))])
    insts = Installation.objects.bulk_create([
        Installation(dealer_id=clients[i % len(clients)].dealer_id, client=clients[i % len(clients)],
                     kind=Installation.Kind.PULLED, name=f"{20000 + i}.te-cloud.ru:443", address=f"{20000 + i}.te-cloud.ru",
                     port=443) for i in range(n)], batch_size=2000)
    since = at - timedelta(minutes=10)
    failing = {"tcp": "refused"} | ({"http200": "refused", "proxy": "refused"} if refused else {})
    rows = []
    for inst in insts:
        for check in ("tcp", *HEALTHY):
            bad = check in failing
            rows.append(CheckState(
                target_key=f"i{inst.id}:{check}", dealer_id=inst.dealer_id, installation_id=inst.id, check_type=check,
                ok=not bad, since=since, last_run_at=at, last_ok_at=None if bad else at, last_fail_at=at if bad else None,
                consecutive_failures=11 if bad else 0, runs=11, failures=11 if bad else 0, state=failing.get(check, "ok"),
                detail=f"{inst.address}:443: connection refused (nothing listens on the port)" if bad else "", extra={}))
    CheckState.objects.bulk_create(rows, batch_size=2000)
    return [inst.id for inst in insts]


def probe_cycle(at: datetime, ok: bool | None = None) -> None:
    """The prober's next run of every check: last_run_at moves on (and, with `ok`, the tcp state flips)."""
    from smart.probes.models import CheckState

    CheckState.objects.update(last_run_at=at)
    if ok:
        CheckState.objects.filter(check_type__in=("tcp", "http200", "proxy")).update(
            ok=True, state="ok", since=at, consecutive_failures=0, last_ok_at=at, detail="")


class Stopwatch:
    """Wall and CPU time of a call, and how much of the wall time lifecycle.apply and the condition
    functions took (wrapped where the engine calls them)."""

    def __init__(self):
        import smart.alerts.engine as engine

        self.parts = {"apply": 0.0, "conditions": 0.0}
        for name, part in (("apply", "apply"), ("observe", "conditions")):
            setattr(engine, name, self._wrap(getattr(engine, name), part))

    def _wrap(self, function, part):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.parts[part] += time.perf_counter() - started
        return timed

    def run(self, function, *args, **kwargs):
        self.parts = dict.fromkeys(self.parts, 0.0)
        wall, cpu = time.perf_counter(), time.process_time()
        result = function(*args, **kwargs)
        return Timing(time.perf_counter() - wall, time.process_time() - cpu, **self.parts), result


class Timing:
    def __init__(self, wall, cpu, apply, conditions):
        self.wall, self.cpu, self.apply, self.conditions = wall, cpu, apply, conditions

    def __str__(self):
        return (f"{self.wall:6.2f} s (CPU {self.cpu:5.2f} s; lifecycle.apply {self.apply:5.2f} s, "
                f"conditions {self.conditions:5.2f} s)")


def legacy_saves() -> float:
    """The old lifecycle's write pattern on a steady cycle: every firing instance saved, one by one."""
    from django.db import transaction

    from smart.alerts.models import Alert, State

    started = time.perf_counter()
    with transaction.atomic():
        for alert in Alert.objects.select_for_update().filter(rule="KodeksTcpStatus", state=State.FIRING):
            alert.save()
    return time.perf_counter() - started


def verdict(seconds: float) -> str:
    return "PASS" if seconds <= TARGET_S else "FAIL"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--installations", type=int, default=10000)
    parser.add_argument("--dealers", type=int, default=20)
    parser.add_argument("--refused", action="store_true", help="http200 and proxy fail too (2N pending, inhibited)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--db-name", default="smart_bench_alerts_eval",
                        help="the PostgreSQL database the bench drops and creates (never the tests' one)")
    args = parser.parse_args()
    setup_django(args.database_url, args.db_name)
    from django.db import connection

    from smart.alerts.engine import evaluate
    from smart.alerts.lifecycle import LAST_SEEN_STEP
    from smart.alerts.models import Alert, Flip, State

    n = args.installations
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    t = time.perf_counter()
    ids = fill(n, args.dealers, t0, args.refused)
    print(f"database: {connection.vendor}; {n} installations, {args.dealers} dealers, filled in "
          f"{time.perf_counter() - t:.1f} s{' (refused port: tcp, http200 and proxy failing)' if args.refused else ''}")

    watch = Stopwatch()
    first, flips = watch.run(evaluate, t0)
    firing = Alert.objects.filter(rule="KodeksTcpStatus", state=State.FIRING).count()
    counts = Alert.objects.filter(rule="KodeksTcpStatusCount", state=State.FIRING).count()
    pending = Alert.objects.filter(state=State.PENDING).count()
    assert firing == n, f"{firing} of {n} instances firing after the first cycle"
    print(f"first cycle (creates and fires): {first}  {verdict(first.wall)}\n"
          f"    {len(flips)} flips: {firing} KodeksTcpStatus and {counts} KodeksTcpStatusCount firing, "
          f"{pending} pending (inhibited)")

    steady, step = [], 60
    cycles = int(2 * LAST_SEEN_STEP.total_seconds()) // step  # every instance's last_seen_at comes due once
    for k in range(1, cycles + 1):
        at = t0 + timedelta(seconds=k * step)
        probe_cycle(at)
        timing, flips = watch.run(evaluate, at)
        assert not flips, f"a steady cycle made {len(flips)} flips"
        steady.append(timing)
        written = Alert.objects.filter(rule="KodeksTcpStatus", last_seen_at=at).count()
        print(f"steady cycle +{k * step:>3} s: {timing}  last_seen_at written: {written:>5}")
    worst = max(steady, key=lambda t: t.wall)
    print(f"steady state, {n} firing: median {statistics.median(t.wall for t in steady):.2f} s, worst {worst.wall:.2f} s "
          f"(CPU median {statistics.median(t.cpu for t in steady):.2f} s)  {verdict(worst.wall)} (target <= {TARGET_S:.0f} s)")
    lifecycle = max(t.apply for t in steady)
    print(f"    of which lifecycle.apply: median {statistics.median(t.apply for t in steady):.2f} s, worst {lifecycle:.2f} s  "
          f"{verdict(lifecycle)}; the condition functions: median {statistics.median(t.conditions for t in steady):.2f} s")

    at = t0 + timedelta(seconds=(cycles + 1) * step)
    probe_cycle(at)
    passes = []
    for start in range(0, n, PER_BATCH):
        timing, _ = watch.run(evaluate, at, evaluation="on_check", installation_ids=ids[start:start + PER_BATCH])
        passes.append(timing)
    print(f"the prober's path (results_recorded → on_check pass per writer batch of {PER_BATCH} installations): "
          f"{len(passes)} passes, {sum(t.wall for t in passes):.2f} s in all (lifecycle.apply "
          f"{sum(t.apply for t in passes):.2f} s), median {statistics.median(t.wall for t in passes):.2f} s, "
          f"max {max(t.wall for t in passes):.2f} s per pass")

    legacy = legacy_saves()
    best = min(t.wall for t in steady)
    print(f"per-row .save() of the {n} firing instances alone (the old steady cycle's writes): {legacy:.2f} s; "
          f"old steady cycle ≈ {best + legacy:.2f} s vs {best:.2f} s now: {(best + legacy) / best:.1f}x")

    at += timedelta(seconds=step)
    probe_cycle(at, ok=True)
    recovery, flips = watch.run(evaluate, at)
    resolved = Alert.objects.filter(rule="KodeksTcpStatus", state=State.RESOLVED, ttr_s__isnull=False).count()
    print(f"recovery cycle (all {n} resolve): {recovery}  {verdict(recovery.wall)}\n"
          f"    {len(flips)} flips, {resolved} resolved with a time to resolve")
    print(f"flips in total: {Flip.objects.count()}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    ok = worst.wall <= TARGET_S
    print("RESULT:", "PASS" if ok else "FAIL", f"(steady worst {worst.wall:.2f} s, target <= {TARGET_S:.0f} s; "
          f"for reference the first cycle {first.wall:.2f} s and the recovery {recovery.wall:.2f} s)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
