"""smart metrics-token --dealer C [--revoke PREFIX] [--json]"""
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smart.registry.models import Dealer
from smart.reports.models import MetricsToken


class Command(BaseCommand):
    help = "Issue (or revoke) a read token for the dealer's Prometheus scrape of /metrics."

    def add_arguments(self, parser):
        parser.add_argument("--dealer", required=True)
        parser.add_argument("--label", default="")
        parser.add_argument("--revoke", metavar="PREFIX")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        dealer = Dealer.objects.filter(code__iexact=o["dealer"]).first()
        if dealer is None:
            raise CommandError(f"no dealer {o['dealer']!r}")
        if o["revoke"]:
            n = MetricsToken.objects.filter(dealer=dealer, prefix=o["revoke"], revoked_at__isnull=True).update(
                revoked_at=timezone.now())
            if not n:
                raise CommandError(f"no active metrics token {o['revoke']}…")
            self.stdout.write(f"revoked {n} token(s)")
            return
        token, plain = MetricsToken.issue(dealer, o["label"])
        if o["json"]:
            self.stdout.write(json.dumps({"dealer": dealer.code, "token": plain, "prefix": token.prefix}))
        else:
            self.stdout.write(f"metrics token for {dealer.code} (shown once): {plain}\n"
                              "Prometheus: authorization: {type: Bearer, credentials: <token>}, metrics_path: /metrics")
