from datetime import datetime, timezone

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from smart.alerts.engine import evaluate
from smart.alerts.worker import run_once

EVALUATIONS = ("periodic", "on_check", "on_fact", "calendar")


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(_("--now must be an ISO 8601 time, e.g. 2026-12-01T00:30:00+10:00")) from None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


class Command(BaseCommand):
    help = ("Evaluate the alert rules once and print the state changes (FIRING, RESOLVED) it made. Without "
            "--evaluation or --rule: the periodic evaluator's pass (periodic, calendar and time-resolved rules).")

    def add_arguments(self, parser):
        parser.add_argument("--now", help="the pass's clock (ISO 8601; without a zone: UTC)")
        parser.add_argument("--evaluation", choices=EVALUATIONS,
                            help="only the rules evaluated this way (and their Count roll-ups)")
        parser.add_argument("--rule", action="append", dest="rules", metavar="NAME",
                            help="only this rule (repeatable)")

    def handle(self, *args, **opts):
        now = _instant(opts["now"]) if opts["now"] else datetime.now(timezone.utc)
        if opts["evaluation"] or opts["rules"]:
            flips = evaluate(now, evaluation=opts["evaluation"], names=set(opts["rules"]) if opts["rules"] else None)
        else:
            flips = run_once(now)
        for flip in flips:
            alert = flip.alert
            self.stdout.write(f"{flip.at.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S}Z {flip.new_state.upper():8} "
                              f"{alert.rule} {alert.object_key} {alert.detail or alert.value}")
        self.stderr.write(_("%(n)d state change(s) at %(now)s") % {"n": len(flips), "now": now.isoformat()})
