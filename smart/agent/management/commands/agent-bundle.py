"""smart agent-bundle --dealer C --name NAME --os windows|linux --out DIR"""
import json

from django.core.management.base import BaseCommand, CommandError

from smart.agent.bundle import OS_CHOICES, render_files, write_dir
from smart.agent.service import prepare
from smart.registry.models import Dealer, Installation


class Command(BaseCommand):
    help = ("Write an installation's agent bundle (smartupload / smartstatus scripts, curl configs, scheduler "
            "files, installer) into DIR, with a newly issued per-installation upload token.")

    def add_arguments(self, parser):
        parser.add_argument("--dealer", required=True, help="dealer code")
        parser.add_argument("--name", required=True, help="installation name (client slug or address:port)")
        parser.add_argument("--os", required=True, choices=OS_CHOICES)
        parser.add_argument("--out", required=True, help="folder to write the bundle into")
        parser.add_argument("--smart-url", help="SMART's address as the client reaches it (default SMART_BASE_URL)")
        parser.add_argument("--kte-url", help="K/TE's address as the script host reaches it")
        parser.add_argument("--kte-login", default="smartlogin")
        parser.add_argument("--keep", type=int, help="timestamped reports kept locally")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        dealer = Dealer.objects.filter(code__iexact=o["dealer"]).first()
        if dealer is None:
            raise CommandError(f"no dealer {o['dealer']!r}")
        inst = Installation.objects.filter(dealer=dealer, name__iexact=o["name"], archived_at__isnull=True).first()
        if inst is None:
            raise CommandError(f"no installation {o['name']!r} in dealer {dealer.code}")
        agent, token = prepare(inst, smart_url=o["smart_url"], kte_url=o["kte_url"], kte_login=o["kte_login"],
                               keep=o["keep"])
        files = render_files(agent, o["os"])
        written = write_dir(files, o["out"])
        result = {"installation": inst.name, "os": o["os"], "out": o["out"], "token_prefix": token.prefix,
                  "files": sorted(p.name for p in written), "upload": not agent.closed_network}
        if o["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"Agent bundle for {inst.name} ({o['os']}) in {o['out']}: {len(written)} files; "
                              f"upload token {token.prefix}… issued (the previous one stays valid until the next).")
