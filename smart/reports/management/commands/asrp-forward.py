"""smart asrp-forward [--now ISO] [--json]"""
import json
from datetime import datetime, timezone

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from smart.reports import asrp


class Command(BaseCommand):
    help = "One ASRP forwarding round (what `serve` does every SMART_ASRP_ROUND_S): forward due sysinfo, retry."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="judge as of this moment (ISO 8601)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        if not settings.SMART_ASRP_URL:
            raise CommandError("SMART_ASRP_URL is not set: ASRP forwarding is off")
        now = datetime.fromisoformat(o["now"]).astimezone(timezone.utc) if o["now"] else None
        rows = asrp.run_once(now)
        out = [{"installation": r.installation.name, "state": r.state, "response": r.response,
                "asrp_state": r.asrp_state, "upload_number": r.upload_number, "attempts": r.attempts,
                "error": r.error} for r in rows]
        if o["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            for r in out:
                self.stdout.write(f"{r['installation']:<30} {r['state']:<8} {r['response']:<8} {r['asrp_state']:<9} "
                                  f"{r['upload_number']} {r['error']}")
            self.stdout.write(f"{len(out)} forward(s) attempted")
