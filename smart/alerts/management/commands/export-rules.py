from pathlib import Path

from django.core.management.base import BaseCommand

from smart.alerts import catalogue, rules_yaml


class Command(BaseCommand):
    help = "Write the alert catalogue as Prometheus alerting rules (YAML), one group per category."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="file to write (default: standard output)")
        parser.add_argument("--base-url", default="http://localhost:8000",
                            help="SMART's external URL, for the runbook_url annotations")

    def handle(self, *args, **opts):
        text = rules_yaml.render(catalogue.load(), opts["base_url"])
        if opts["out"]:
            Path(opts["out"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"{len(catalogue.load())} alerts written to {opts['out']}")
        else:
            self.stdout.write(text, ending="")
