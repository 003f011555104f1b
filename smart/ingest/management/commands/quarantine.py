import json

from django.core.management.base import BaseCommand, CommandError

from smart.ingest import quarantine
from smart.ingest.service import resolve_installation
from smart.registry.models import Dealer


class Command(BaseCommand):
    help = "List names uploaded but not in the registry, or attach one to an installation."

    def add_arguments(self, parser):
        parser.add_argument("--dealer", required=True, help="dealer code")
        parser.add_argument("--attach", metavar="NAME", help="quarantined name to attach")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--to", metavar="INSTALLATION", help="existing installation name")
        target.add_argument("--new", action="store_true", help="register the name as a new installation")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        dealer = Dealer.objects.filter(code__iexact=opts["dealer"]).first()
        if dealer is None:
            raise CommandError(f"no dealer with code {opts['dealer']!r}")
        if not opts["attach"]:
            rows = quarantine.quarantined_names(dealer)
            if opts["json"]:
                self.stdout.write(json.dumps(rows, default=str, ensure_ascii=False))
            for row in [] if opts["json"] else rows:
                self.stdout.write(f"{row['name']:<40} {row['reports']:>5} report(s), last {row['last_received_at']:%Y-%m-%d %H:%M}")
            return
        if opts["new"]:
            installation = quarantine.attach_as_new(dealer, opts["attach"])
            moved = installation.reports.count()
        elif opts["to"]:
            installation = resolve_installation(dealer, opts["to"])
            if installation is None:
                raise CommandError(f"no installation named {opts['to']!r}")
            moved = quarantine.attach(dealer, opts["attach"], installation)
        else:
            raise CommandError("--attach needs --to INSTALLATION or --new")
        self.stdout.write(f"{opts['attach']} → {installation.name}: {moved} report(s) queued for processing")
