from django.core.management.base import BaseCommand, CommandError
from django.db.models.functions import Lower
from django.utils.dateparse import parse_datetime

from smart.ingest.archive import object_path
from smart.ingest.models import PROCESSABLE_KINDS, Report
from smart.pipeline.models import ProcessingJob
from smart.pipeline.queue import enqueue
from smart.registry.models import Dealer


class Command(BaseCommand):
    help = "Queue archived reports for processing again (processing is idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--dealer", help="dealer code (default: all dealers)")
        parser.add_argument("--name", help="installation name (with --dealer)")
        parser.add_argument("--since", help="only reports received at or after this ISO time")
        parser.add_argument("--set-aside", action="store_true", help="only reports whose job was set aside")

    def handle(self, *args, **opts):
        reports = Report.objects.filter(installation__isnull=False, kind__in=PROCESSABLE_KINDS)
        if opts["dealer"]:
            dealer = Dealer.objects.filter(code__iexact=opts["dealer"]).first()
            if dealer is None:
                raise CommandError(f"no dealer with code {opts['dealer']!r}")
            reports = reports.filter(dealer=dealer)
        if opts["name"]:
            reports = reports.annotate(lname=Lower("installation__name")).filter(lname=opts["name"].lower())
        if opts["since"]:
            since = parse_datetime(opts["since"])
            if since is None:
                raise CommandError("--since takes an ISO date-time, e.g. 2026-11-01T00:00:00+03:00")
            reports = reports.filter(received_at__gte=since)
        if opts["set_aside"]:
            reports = reports.filter(jobs__state=ProcessingJob.State.SET_ASIDE)
        busy = ProcessingJob.objects.filter(state__in=[ProcessingJob.State.PENDING, ProcessingJob.State.RUNNING])
        reports = reports.exclude(id__in=busy.values("report_id")).distinct()
        queued = missing = 0
        for report in reports.order_by("received_at", "id").iterator():
            if not object_path(report.sha256).exists():
                missing += 1
                self.stderr.write(f"archive object missing for report {report.id} ({report.file_name})")
                continue
            enqueue(report)
            queued += 1
        self.stdout.write(f"queued {queued} report(s) for processing" + (f"; {missing} missing" if missing else ""))
        if missing:
            raise CommandError(f"{missing} report(s) could not be queued: archive objects missing")
