"""`smart standin`: K/TE and online-access stand-ins on loopback (docs/standins.md).

    smart standin serve --kte 30 --online 3 [--base-port 20000] [--control-port 8799] [--seed 1]
                        [--proxy] [--licman yes|no|fleet] [--use-interval 60]
    smart standin fault ZAVOD-ZVEZDA maintenance on        # or off, or a value: slow 2.5
    smart standin state [NAME] [--json]
"""
import asyncio
import json
import os

from django.core.management.base import BaseCommand, CommandError

from smart.simulator.control_client import control_request

DEFAULT_CONTROL_PORT = 8799
DEFAULT_CONTROL = os.environ.get("SMART_STANDIN_CONTROL", f"http://127.0.0.1:{DEFAULT_CONTROL_PORT}/control")


class Command(BaseCommand):
    help = "Serve K/TE and online-access stand-ins, switch their faults, show their state."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        serve = actions.add_parser("serve", help="run stand-ins until Ctrl+C")
        serve.add_argument("--kte", type=int, default=10, help="K/TE servers (fleet installations 0..N-1)")
        serve.add_argument("--online", type=int, default=1, help="online-access hosts")
        serve.add_argument("--base-port", type=int, help="consecutive ports from here (default: free ports)")
        serve.add_argument("--control-port", type=int, default=DEFAULT_CONTROL_PORT, help="0 = a free port")
        serve.add_argument("--seed", default="1")
        serve.add_argument("--proxy", action="store_true", help="a reverse-proxy port for every K/TE")
        serve.add_argument("--licman", choices=["yes", "no", "fleet"], default="fleet",
                           help="licence-manager ports: all, none, or where the fleet has one")
        serve.add_argument("--use-interval", type=float, default=60.0,
                           help="seconds between simulated uses of online accounts (0 = none)")
        fault = actions.add_parser("fault", help="switch a fault of one instance")
        fault.add_argument("name")
        fault.add_argument("fault")
        fault.add_argument("value", nargs="?", default="on", help="on, off, or a number (slow, proxy_timeout)")
        fault.add_argument("--control", default=DEFAULT_CONTROL)
        state = actions.add_parser("state", help="show instances and their faults")
        state.add_argument("name", nargs="?")
        state.add_argument("--control", default=DEFAULT_CONTROL)
        state.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        return getattr(self, f"_{opts['action']}")(opts)

    # ---- serve ---------------------------------------------------------------------------------------

    def _serve(self, opts):
        from smart.simulator.standin import StandinHost

        if opts["kte"] < 0 or opts["online"] < 0:
            raise CommandError("--kte and --online must not be negative")
        host = StandinHost(opts["kte"], opts["online"], seed=opts["seed"], base_port=opts["base_port"],
                           control_port=opts["control_port"], proxy=opts["proxy"],
                           licman={"yes": True, "no": False, "fleet": None}[opts["licman"]],
                           use_interval=opts["use_interval"] or None)
        try:
            asyncio.run(host.serve_forever(self._print_table))
        except KeyboardInterrupt:
            pass
        self.stdout.write("stand-ins stopped")

    def _print_table(self, host):
        rows = [("K/TE", name, s.port, s.proxy and s.proxy.port, s.licman and s.licman.port,
                 f"smartlogin / {s.password}") for name, s in host.ktes.items()]
        for name, s in host.onlines.items():
            accounts = ", ".join(f"{a.folder}:{a.login}/{a.password}" for a in s.accounts.values())
            rows.append(("online", name, s.port, None, None, accounts))
        header = ("kind", "name", "port", "proxy", "licman", "accounts")
        widths = [max(len(str(v or "")) for v in column) for column in zip(header, *rows)][:-1]
        for row in [header, *rows]:
            cells = [str(v or "-").ljust(w) for v, w in zip(row, widths)]
            self.stdout.write("  ".join(cells + [str(row[-1])]))
        self.stdout.write(f"control: {host.control_url}   (Ctrl+C stops)")
        self.stdout.flush()

    # ---- fault / state -------------------------------------------------------------------------------

    def _fault(self, opts):
        control = opts["control"].rstrip("/")
        whole = self._get(control)
        kind = "kte" if opts["name"] in whole.get("kte", {}) else "online" if opts["name"] in whole.get(
            "online", {}) else None
        if kind is None:
            raise CommandError(f"no instance {opts['name']!r} at {control}")
        value = opts["value"]
        value = {"on": True, "off": False}.get(value.lower(), value)
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise CommandError(f"value must be on, off or a number, not {value!r}") from None
        answer = self._request("POST", f"{control}/{kind}/{opts['name']}", json={"faults": {opts["fault"]: value}})
        faults = answer.get("faults", {})
        shown = ", ".join(f"{k}={v}" if v is not True else k for k, v in faults.items()) or "none"
        self.stdout.write(f"{opts['name']}: faults {shown}")

    def _state(self, opts):
        control = opts["control"].rstrip("/")
        whole = self._get(control)
        if opts["name"]:
            kind = "kte" if opts["name"] in whole.get("kte", {}) else "online"
            if opts["name"] not in whole.get(kind, {}):
                raise CommandError(f"no instance {opts['name']!r} at {control}")
            whole = {kind: {opts["name"]: whole[kind][opts["name"]]}}
        if opts["json"]:
            self.stdout.write(json.dumps(whole, ensure_ascii=False, indent=1))
            return
        for name, s in whole.get("kte", {}).items():
            faults = ", ".join(k if v is True else f"{k}={v}" for k, v in s["faults"].items()) or "-"
            self.stdout.write(f"K/TE    {name:<24} port {s['port']:<6} seats {s['seats_used']}/{s['seats_total']}"
                              f"  requests {s['requests']:<6} faults {faults}")
        for name, s in whole.get("online", {}).items():
            faults = ", ".join(k if v is True else f"{k}={v}" for k, v in s["faults"].items()) or "-"
            self.stdout.write(f"online  {name:<24} port {s['port']:<6} faults {faults}")
            for login, a in s["accounts"].items():
                counters = " ".join(f"{k} {c['left']}/{c['limit']}" for k, c in a["counters"].items())
                used = sum(a["consumed_by_http"].values())
                self.stdout.write(f"        {a['folder']}/{login:<20} {counters}  consumed_by_http {used}")

    def _get(self, url: str) -> dict:
        return self._request("GET", url)

    @staticmethod
    def _request(method: str, url: str, **kwargs) -> dict:
        return control_request(method, url, **kwargs)
