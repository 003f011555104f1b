"""smart security-pack --dealer C --client SLUG --out FILE.pdf"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smart.registry.models import Client
from smart.reports.security_pack import build


class Command(BaseCommand):
    help = "Write the PDF for a client's IT security department (flows, data, retention, access, scripts)."

    def add_arguments(self, parser):
        parser.add_argument("--dealer", required=True)
        parser.add_argument("--client", required=True, help="the client's slug")
        parser.add_argument("--out", required=True)

    def handle(self, *args, **o):
        client = Client.objects.filter(dealer__code__iexact=o["dealer"], slug__iexact=o["client"]).first()
        if client is None:
            raise CommandError(f"no client {o['client']!r} in dealer {o['dealer']!r}")
        data = build(client)
        Path(o["out"]).write_bytes(data)
        self.stdout.write(f"{o['out']}: {len(data)} bytes")
