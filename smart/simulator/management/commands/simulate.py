"""`smart simulate fleet`: write a deterministic fleet's uploads to a folder, ready for curl.

    smart simulate fleet --installations 30 --days 7 --out /tmp/fleet [--seed 7] [--end 2026-11-26T10:00Z]
                         [--sysinfo-every 3600] [--status-every 900] [--thin] [--jobs 2]

Writes DIR/<NAME>/<NAME>-<UTC stamp>.zip|.status, DIR/managers.csv (registry block B rows for these
installations, importable with `smart import-registry`) and DIR/upload.sh (uploads them in time order).
The simulated world is anchored 396 days before --end, so --days only chooses the window written:
the same seed and --end give the same files whatever --days is.
"""
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timedelta, timezone
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from smart.registry.tzlegacy import legacy_from_zone
from smart.simulator.fleet import Fleet
from smart.simulator.fleet.files import upload_script, write_installation

UTC = timezone.utc
WORLD_DAYS = 396  # 13 months of simulated history before --end


class Command(BaseCommand):
    help = "Generate simulated installations' uploads (sysinfo zips and .status files) into a folder."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["fleet"], help="what to simulate")
        parser.add_argument("--installations", type=int, default=30)
        parser.add_argument("--days", type=float, default=7.0, help="days of history before --end")
        parser.add_argument("--out", required=True, help="output folder (created)")
        parser.add_argument("--seed", default="1", help="same seed and --end: byte-identical files")
        parser.add_argument("--end", help="ISO instant (default: now, rounded down to the hour, UTC)")
        parser.add_argument("--sysinfo-every", type=int, default=3600, help="seconds; 0 = no sysinfo")
        parser.add_argument("--status-every", type=int, default=900, help="seconds; 0 = no .status")
        parser.add_argument("--thin", action="store_true",
                            help="thinned back-fill (hourly last week, 6-hourly to 35 days, daily before)")
        parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1), help="worker processes")
        parser.add_argument("--dealer-code", default="DEMO", help="distributor tag written into sysinfo")

    def handle(self, *args, **opts):
        end = _parse_end(opts["end"])
        for key in ("sysinfo_every", "status_every"):
            value = opts[key]
            if value < 0 or (value and (value < 60 or 86400 % value)):
                raise CommandError(f"--{key.replace('_', '-')} must be 0 or a divisor of a day of at least 60 s")
        if opts["installations"] < 1 or opts["days"] <= 0:
            raise CommandError("--installations and --days must be positive")
        out = Path(opts["out"])
        out.mkdir(parents=True, exist_ok=True)
        fleet_args = {"seed": opts["seed"], "installations": opts["installations"],
                      "start": (end - timedelta(days=WORLD_DAYS)).date(), "now": end,
                      "distributor": f"{opts['dealer_code']}kodeks"}
        fleet = Fleet(**fleet_args)
        start = end - timedelta(days=opts["days"])
        every = timedelta(seconds=opts["sysinfo_every"]) if opts["sysinfo_every"] else None
        status_every = timedelta(seconds=opts["status_every"]) if opts["status_every"] else None
        rows = self._generate(fleet_args, fleet.size, str(out), start, end, every, status_every, opts)
        (out / "managers.csv").write_bytes(managers_csv(fleet, end, opts["sysinfo_every"] or 3600))
        script = out / "upload.sh"
        script.write_text(upload_script(rows), encoding="utf-8")
        script.chmod(0o755)
        total = sum(r[3] for r in rows)
        self.stdout.write(f"{len(rows)} files, {total / 1e6:.1f} MB, {fleet.size} installations in {out} "
                          f"(managers.csv, upload.sh)")

    def _generate(self, fleet_args, size, out, start, end, every, status_every, opts) -> list:
        rows = []
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, disable=opts.get("verbosity", 1) < 1) as progress:
            task = progress.add_task("installations", total=size)
            jobs = max(1, opts["jobs"])
            if jobs == 1:
                for i in range(size):
                    rows += write_installation(fleet_args, i, out, start, end, every, status_every, opts["thin"])
                    progress.advance(task)
                return rows
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = [pool.submit(write_installation, fleet_args, i, out, start, end, every, status_every,
                                       opts["thin"]) for i in range(size)]
                for future in as_completed(futures):
                    rows += future.result()
                    progress.advance(task)
        return rows


def managers_csv(fleet: Fleet, at: datetime, interval: int) -> bytes:
    """Registry block B rows (pushed installations) in the dealers' managers.csv format."""
    lines = []
    for i in range(fleet.size):
        inst = fleet.installation(i)
        manager, email = inst.manager
        tz = legacy_from_zone(inst.zone_name, at)
        flags = "smartupload,download,upload,process,donotping"
        lines.append(f"{inst.name},{manager},{email},{flags},{tz},{interval},604800")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _parse_end(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(f"--end: not an ISO date or instant: {text!r}") from None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
