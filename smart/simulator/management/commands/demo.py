import logging

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from smart.ingest.models import Channel, Report
from smart.registry.importer import apply_import, plan_import
from smart.registry.models import Dealer, IngestToken, Role, User
from smart.simulator import demo
from smart.simulator.backfill import Backfill

DEMO_PASSWORD = "demo-password"


class Command(BaseCommand):
    help = "Create the demo dealer and fleet, start SMART, and let the demo clients' scripts upload."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between demo uploads")
        parser.add_argument("--months", type=int, default=13, help="history to back-fill (0: none)")
        parser.add_argument("--setup-only", action="store_true", help="create the demo data and exit")
        parser.add_argument("--no-standins", action="store_true",
                            help="do not start the K/TE and online stand-ins (no live probes)")

    def handle(self, *args, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        dealer = self.setup()
        if opts["setup_only"]:
            return
        # The demo compresses hours into seconds: the per-name hourly upload limit would refuse most of it.
        settings.SMART_UPLOADS_PER_NAME_PER_HOUR = 0
        base = f"http://{opts['host']}:{opts['port']}"
        self.banner(dealer, base)
        logging.getLogger("smart.demo").setLevel(logging.INFO)
        scripts = demo.ClientScripts(base, dealer.header_value, demo.DEMO_TOKEN, interval=opts["interval"])
        scripts.start()
        history = None
        if opts["months"] and not Report.objects.filter(dealer=dealer, channel=Channel.MANUAL).exists():
            history = Backfill(scripts.fleet, dealer, list(range(len(demo.PUSHED))), scripts.fleet.now, opts["months"])
            history.start()
            self.stdout.write(f"Back-filling {opts['months']} months of the fleet's history in the background, newest first.")
        from smart.simulator import delivery

        mail = delivery.start(dealer)
        self.stdout.write("Alerts are delivered to:\n  " + "\n  ".join(delivery.lines(mail)))
        live = None
        if not opts["no_standins"]:
            from smart.simulator import live as live_module

            live = live_module.start(dealer)
            self.stdout.write("Live targets probed, pulled and scraped by SMART:\n  " + "\n  ".join(live.lines()))
        asrp = self.integrations(dealer, base)
        call_command("serve", host=opts["host"], port=opts["port"], no_migrate=True)
        asrp.stop()
        if live is not None:
            live.stop()
        delivery.stop(mail)
        scripts.stop.set()
        if history is not None:
            history.stop.set()

    def integrations(self, dealer, base):
        """The ASRP stand-in SMART forwards sysinfo to (weekly; the first round at once), and a metrics token
        for a Prometheus scrape of the demo dealer."""
        from smart.reports.models import MetricsToken
        from smart.simulator.asrp import AsrpStandin

        asrp = AsrpStandin().start()
        settings.SMART_ASRP_URL = asrp.url
        settings.SMART_ASRP_ROUND_S = 60
        _, token = MetricsToken.issue(dealer, label="demo")
        self.stdout.write(
            f"Integrations:\n  ASRP stand-in:  {asrp.url}/uploads   (what SMART forwarded; log: {base}/d/asrp/)\n"
            f"  Prometheus:     curl -H 'Authorization: Bearer {token}' {base}/metrics\n"
            f"  agent bundle:   smart agent-bundle --dealer {dealer.code} --name {demo.PUSHED[0]} --os linux --out ./agent\n"
            f"  IT-security pack: smart security-pack --dealer {dealer.code} --client {demo.PUSHED[0]} --out pack.pdf")
        return asrp

    @transaction.atomic
    def setup(self) -> Dealer:
        dealer, created = Dealer.objects.get_or_create(
            code=demo.DEMO_CODE, defaults={"name": demo.DEMO_NAME, "display_name": "Демо-дилер «Кодекс-Саратов»"}
        )
        if created:
            IngestToken.issue(dealer, value=demo.DEMO_TOKEN, label="demo legacy token")
            admin = User(username="demo-admin", role=Role.DEALER_ADMIN, dealer=dealer, full_name="Администратор демо")
            admin.set_password(DEMO_PASSWORD)
            admin.save()
            operator = User(username="operator", role=Role.OPERATOR, is_staff=True, is_superuser=True)
            operator.set_password(DEMO_PASSWORD)
            operator.save()
            for login, full_name, email in demo.MANAGERS:
                user = User(username=login, full_name=full_name, email=email, role=Role.MANAGER, dealer=dealer)
                user.set_password(DEMO_PASSWORD)
                user.save()
        for kind, data in (("managers", demo.managers_csv()), ("online", demo.online_csv())):
            plan = plan_import(dealer, data, kind=kind, file_name=f"demo_{kind}.csv")
            if plan.errors:
                raise RuntimeError(f"demo registry does not import: {plan.as_dict()['errors']}")
            apply_import(plan)
        return dealer

    def banner(self, dealer, base):
        self.stdout.write(
            f"""
SMART demo
  cabinet:        {base}/   sign in as
                    dealer admin  demo-admin / {DEMO_PASSWORD}
                    manager       {demo.MANAGERS[0][0]} / {DEMO_PASSWORD}   (sees only {demo.MANAGERS[0][1]}'s clients)
                    operator      operator / {DEMO_PASSWORD}   (every dealer; Django admin at {base}/admin/)
  emergencies:    {base}/d/emergencies/
  dealer header:  {dealer.header_value}
  legacy token:   {demo.DEMO_TOKEN}
  registry:       {dealer.installations.count()} installations, {dealer.online_accesses.count()} online accesses
  try it:         curl -H "upload: yes" -H "dealer: {dealer.header_value}" -F file=@ZAVOD-ZVEZDA.zip "{base}/upload?token={demo.DEMO_TOKEN}"
                  smart status --dealer {dealer.code} --name ZAVOD-ZVEZDA
                  smart quarantine --dealer {dealer.code}
                  smart test-connection --dealer {dealer.code} --name {demo.PULLED[0]}
                  smart standin state        (the live targets; faults: smart standin fault NAME maintenance on)
The demo clients' scripts now upload every few seconds (Ctrl+C stops).
"""
        )
