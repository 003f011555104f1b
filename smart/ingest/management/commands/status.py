import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models.functions import Lower

from smart.ingest.models import Report
from smart.ingest.service import resolve_installation
from smart.registry.models import Dealer


def report_row(report: Report) -> dict:
    return {
        "received_at": report.received_at.isoformat(),
        "kind": report.kind,
        "sha256": report.sha256,
        "size": report.size,
        "status": report.status,
        "file_name": report.file_name,
        "channel": report.channel,
        "report_time": report.report_time.isoformat() if report.report_time else None,
    }


def installation_status(dealer, name: str, limit: int = 20) -> dict | None:
    """What SMART knows of one installation or quarantined name (None if nothing at all)."""
    installation = resolve_installation(dealer, name)
    if installation is not None:
        reports = Report.objects.filter(installation=installation)
        result = {
            "name": installation.name,
            "quarantined": False,
            "installation": {
                "kind": installation.kind,
                "client": installation.client.display_name,
                "time_zone": installation.time_zone,
                "expected_interval_s": installation.expected_interval_s,
                "archived": installation.archived_at is not None,
            },
        }
    else:
        reports = (
            Report.objects.filter(dealer=dealer, quarantined=True).annotate(lname=Lower("name")).filter(lname=name.lower())
        )
        if not reports.exists():
            return None
        result = {"name": reports.first().name, "quarantined": True, "installation": None}
    result["reports"] = [report_row(r) for r in reports.order_by("-received_at", "-id")[:limit]]
    return result


class Command(BaseCommand):
    help = "What SMART knows of one installation or quarantined name."

    def add_arguments(self, parser):
        parser.add_argument("--dealer", required=True, help="dealer code")
        parser.add_argument("--name", required=True, help="installation name, alias or quarantined name")
        parser.add_argument("--limit", type=int, default=20, help="how many recent reports")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        dealer = Dealer.objects.filter(code__iexact=opts["dealer"]).first()
        if dealer is None:
            raise CommandError(f"no dealer with code {opts['dealer']!r}")
        status = installation_status(dealer, opts["name"], opts["limit"])
        if status is None:
            raise CommandError(f"nothing is known under the name {opts['name']!r} for dealer {dealer}")
        if opts["json"]:
            self.stdout.write(json.dumps(status, ensure_ascii=False, indent=2))
            return
        where = "QUARANTINE (not in the registry)" if status["quarantined"] else status["installation"]["client"]
        self.stdout.write(f"{status['name']}: {where}")
        for row in status["reports"]:
            self.stdout.write(
                f"  {row['received_at']}  {row['kind']:<10} {row['status']:<22} {row['size']:>10} B  {row['sha256'][:12]}"
            )
        if not status["reports"]:
            self.stdout.write("  no reports received yet")
