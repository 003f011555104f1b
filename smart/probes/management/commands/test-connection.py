import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models.functions import Lower

from smart.registry.models import Dealer, Installation, OnlineAccess


class Command(BaseCommand):
    help = ("Run every check once for an installation (by name, e.g. 10234.te-cloud.ru:443) or an online "
            "access (by login) and say which step or right is missing. Exit status 1 if a step fails.")

    def add_arguments(self, parser):
        parser.add_argument("--dealer", required=True, help="dealer code")
        parser.add_argument("--name", required=True, help="installation name, or the online access's login")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        from smart.probes import testconn
        from smart.probes.online import OnlineTarget
        from smart.probes.targets import InstallationTarget

        dealer = Dealer.objects.filter(code__iexact=opts["dealer"]).first()
        if dealer is None:
            raise CommandError(f"no dealer {opts['dealer']!r}")
        name = opts["name"].lower()
        inst = (Installation.objects.annotate(lname=Lower("name"))
                .filter(dealer=dealer, lname=name, archived_at__isnull=True).first())
        if inst is not None:
            if inst.kind != Installation.Kind.PULLED or not inst.address:
                raise CommandError(f"{inst.name} pushes its reports: SMART does not connect to it "
                                   "(check its scripts with `smart status`)")
            target = InstallationTarget.from_installation(inst)
        else:
            access = (OnlineAccess.objects.annotate(llogin=Lower("login"))
                      .filter(dealer=dealer, llogin=name, archived_at__isnull=True).first())
            if access is None:
                raise CommandError(f"no installation or online access {opts['name']!r} at dealer {dealer.code}")
            target = OnlineTarget.from_access(access)
        report = testconn.run(target)
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
        else:
            self._print(report)
        if not report.ok:
            raise SystemExit(1)

    def _print(self, report):
        self.stdout.write(f"{report.kind} {report.target}")
        for s in report.steps:
            mark = {True: "ok  ", False: "FAIL", None: "skip"}[s.ok]
            latency = f" {s.latency_ms:.0f} ms" if s.latency_ms is not None else ""
            code = f" HTTP {s.code}" if s.code else ""
            self.stdout.write(f"  {mark} {s.step:<11} {s.state:<16}{code}{latency}  {s.detail}")
            if s.ok is False and s.advice:
                self.stdout.write(f"       → {s.advice}")
        failed = report.first_failure()
        self.stdout.write("all checks passed" if failed is None else f"first failing step: {failed.step}")
