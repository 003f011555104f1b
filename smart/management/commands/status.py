import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models.functions import Lower

from smart.ingest.models import Report
from smart.ingest.service import resolve_installation
from smart.metrics.models import InstallationState
from smart.registry.models import Dealer


def _iso(value):
    return value.isoformat() if value is not None else None


def latest_state(installation) -> dict | None:
    """The normalized latest state of an installation (newest report wins, whatever the arrival order)."""
    state = InstallationState.objects.filter(installation=installation).first()
    if state is None or state.report_time is None:
        return None
    return {
        "report_time": _iso(state.report_time),
        "received_at": _iso(state.received_at),
        "version": state.version or None,
        "regnum": state.regnum or None,
        "legal_name": state.legal_name or None,
        "seats_total": state.seats_total,
        "seats_used": state.seats_used,
        "key_state": state.key_state or None,
        "licence_expiry": _iso(state.licence_expiry),
        "operup_max_age_hours": None if state.operup_max_age_hours is None else round(state.operup_max_age_hours, 2),
        "last_new_data_at": _iso(state.last_new_data_at),
        "clock_skew_s": state.clock_skew_s,
        "status_observed_at": _iso(state.status_observed_at),
        "status_values": state.status_values or None,
    }


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
        "detail": report.detail or None,
    }


def active_alerts(installation) -> list[dict]:
    """The installation's firing alerts, most urgent first (the issue's `alerts` key)."""
    from smart.alerts.models import Alert, State

    rows = Alert.objects.filter(installation=installation, state=State.FIRING).order_by("priority", "fired_at")
    return [{"name": a.rule, "priority": a.priority, "legacy_priority": a.legacy_priority,
             "importance": a.importance, "since": _iso(a.fired_at), "detail": a.detail} for a in rows]


def check_states(installation) -> dict:
    """What the prober last saw, per check (pulled installations)."""
    from smart.probes.models import CheckState

    return {c.check_type: {"ok": c.ok, "state": c.state, "since": _iso(c.since), "last_run_at": _iso(c.last_run_at),
                           "code": c.code, "detail": c.detail}
            for c in CheckState.objects.filter(installation=installation).order_by("check_type")}


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
            "latest": latest_state(installation),
            "alerts": active_alerts(installation),
            "checks": check_states(installation),
        }
    else:
        reports = (
            Report.objects.filter(dealer=dealer, quarantined=True).annotate(lname=Lower("name")).filter(lname=name.lower())
        )
        if not reports.exists():
            return None
        result = {"name": reports.first().name, "quarantined": True, "installation": None, "latest": None,
                  "alerts": [], "checks": {}}
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
        for alert in status["alerts"]:
            self.stdout.write(f"  ALERT {alert['priority']}/{alert['legacy_priority']} {alert['name']} since {alert['since']}")
        for check, state in status["checks"].items():
            mark = "ok  " if state["ok"] else "FAIL"
            self.stdout.write(f"  {mark} {check:<12} {state['state']:<16} since {state['since']}  {state['detail'][:80]}")
