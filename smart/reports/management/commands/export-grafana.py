"""smart export-grafana --out DIR"""
import json
from pathlib import Path

from django.core.management.base import BaseCommand

from smart.reports.grafana import all_dashboards


class Command(BaseCommand):
    help = "Write Grafana dashboards (JSON, one file each) over the series of SMART's /metrics."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True)

    def handle(self, *args, **o):
        out = Path(o["out"])
        out.mkdir(parents=True, exist_ok=True)
        for d in all_dashboards():
            (out / f"{d['uid']}.json").write_text(json.dumps(d, ensure_ascii=False, indent=2))
            self.stdout.write(f"{out / (d['uid'] + '.json')}: {d['title']} ({len(d['panels'])} panels)")
