import signal
import threading

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the prober alone (probes, pulls, online scraping) when SMART runs as separate processes."

    def add_arguments(self, parser):
        parser.add_argument("--global-limit", type=int, default=256, help="checks running at once")
        parser.add_argument("--per-host", type=int, default=4, help="checks running at once against one host")

    def handle(self, *args, **opts):
        from smart.probes.prober import Prober

        prober = Prober(global_limit=opts["global_limit"], per_host=opts["per_host"])
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        prober.start()
        self.stdout.write("SMART prober running (Ctrl+C stops)")
        try:
            while not stopped.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        prober.shutdown()
