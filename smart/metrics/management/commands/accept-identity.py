from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from smart.ingest.models import Report
from smart.ingest.service import resolve_installation
from smart.metrics.models import IdentityMismatch, InstallationState
from smart.pipeline.queue import enqueue
from smart.registry.models import Dealer


class Command(BaseCommand):
    help = ("Confirm that an installation's new regnum / legal name is right (a reinstall, a renamed legal "
            "entity): its reports held back as identity_mismatch are processed again.")

    def add_arguments(self, parser):
        parser.add_argument("--dealer", required=True, help="dealer code")
        parser.add_argument("--name", required=True, help="installation name")

    @transaction.atomic
    def handle(self, *args, **opts):
        dealer = Dealer.objects.filter(code__iexact=opts["dealer"]).first()
        if dealer is None:
            raise CommandError(f"no dealer with code {opts['dealer']!r}")
        installation = resolve_installation(dealer, opts["name"])
        if installation is None:
            raise CommandError(f"no installation named {opts['name']!r}")
        newest = {}
        for mismatch in IdentityMismatch.objects.filter(installation=installation).order_by("report_time"):
            newest[mismatch.field] = mismatch.found
        if not newest:
            raise CommandError(f"{installation.name} has no identity mismatch to accept")
        InstallationState.objects.filter(installation=installation).update(**newest)
        held = Report.objects.filter(installation=installation, status="identity_mismatch").order_by("report_time")
        for report in held:
            enqueue(report)
        IdentityMismatch.objects.filter(installation=installation).delete()
        accepted = ", ".join(f"{field} = {value!r}" for field, value in newest.items())
        self.stdout.write(f"{installation.name}: accepted {accepted}; {held.count()} held report(s) queued again")
