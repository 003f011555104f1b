"""smart upload-batch --dealer C --name NAME DIR|FILE.zip ... [--process] [--json]"""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smart.ingest import batch
from smart.registry.models import Dealer


class Command(BaseCommand):
    help = ("Upload many reports of one installation at once (a closed network's backlog): folders, report "
            "files or zips of them, in any order; prints a result per file.")

    def add_arguments(self, parser):
        parser.add_argument("--dealer", required=True, help="dealer code")
        parser.add_argument("--name", required=True, help="the installation's name; every file is filed under it")
        parser.add_argument("paths", nargs="+", help="folders, report files, or zips of report files")
        parser.add_argument("--process", action="store_true",
                            help="process the accepted reports now and show each one's outcome")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        dealer = Dealer.objects.filter(code__iexact=o["dealer"]).first()
        if dealer is None:
            raise CommandError(f"no dealer {o['dealer']!r}")
        paths = [Path(p) for p in o["paths"]]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"not found: {', '.join(missing)}")
        items = list(batch.sources(paths))
        if o["json"]:
            result = batch.upload(dealer, o["name"], items)
        else:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            with Progress(*columns, transient=False) as bar:
                task = bar.add_task(f"uploading to {o['name']}", total=len(items))
                result = batch.upload(dealer, o["name"], items, progress=lambda _item: bar.advance(task))
        if o["process"]:
            from smart.pipeline.worker import drain

            drain()
            batch.fill_statuses(result)
        if o["json"]:
            self.stdout.write(json.dumps({"files": [vars(f) for f in result.files], "counts": result.counts()},
                                         ensure_ascii=False))
        else:
            for f in result.files:
                status = f" → {f.status}" if f.status else ""
                note = f" ({f.message})" if f.message else ""
                self.stdout.write(f"{f.code:<22} {f.source}{status}{note}")
            counts = ", ".join(f"{k}: {v}" for k, v in sorted(result.counts().items()))
            self.stdout.write(f"{len(result.files)} files: {counts}")
        bad = result.failed or [f for f in result.files if f.status and f.status not in ("ok", "no_new_data")]
        if bad:
            raise SystemExit(1)
