"""`smart export-registry --dealer CODE --kind managers|online`: the registry as the dealers' CSV (IM-4)."""
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from smart.registry import csvio
from smart.registry.importer import export_registry
from smart.registry.models import Dealer


class Command(BaseCommand):
    help = "Write a dealer's managers.csv or online.csv (UTF-8, ',', CRLF) to stdout or a file."

    def add_arguments(self, parser):
        parser.add_argument("--dealer", required=True, help="the dealer's 4-character code")
        parser.add_argument("--kind", required=True, choices=csvio.KINDS)
        parser.add_argument("--out", help="write to this file instead of stdout")

    def handle(self, *args, **opts):
        dealer = Dealer.objects.filter(code__iexact=opts["dealer"]).first()
        if dealer is None:
            raise CommandError(_("No dealer with code %(code)r.") % {"code": opts["dealer"]})
        data = export_registry(dealer, opts["kind"])
        if opts["out"]:
            # online.csv holds passwords: the file is created readable by its owner only.
            path = Path(opts["out"])
            path.touch(mode=0o600, exist_ok=True)
            path.write_bytes(data)
            return
        # Bytes, not text: the CSV's CRLF and encoding must reach the file untouched.
        out = getattr(self.stdout, "_out", sys.stdout)
        buffer = getattr(out, "buffer", None)
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:  # an in-memory stream (call_command(stdout=StringIO()) in tests)
            out.write(data.decode("utf-8"))
