import uvicorn
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run SMART: the web server with the upload endpoints, processing workers and the prober."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-processes", type=int, default=1, help="uvicorn worker processes")
        parser.add_argument("--workers", type=int, default=1, help="processing threads in this process (0: none)")
        parser.add_argument("--no-probes", action="store_true",
                            help="do not run the prober here (run `smart probe` as its own process)")
        parser.add_argument("--no-notify", action="store_true",
                            help="do not run the notifier and the Telegram bot poller here")
        parser.add_argument("--no-evaluate", action="store_true",
                            help="do not run the periodic alert evaluator here (staleness, calendar, quotas)")
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, **opts):
        if not opts["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        from smart.pipeline.worker import Housekeeper, Worker
        from smart.probes import retention as probe_retention

        threads = [Worker(i) for i in range(opts["workers"])] + [Housekeeper(chores=[probe_retention.run])]
        if not opts["no_evaluate"]:
            from smart.alerts.worker import Evaluator

            threads.append(Evaluator())
        if not opts["no_notify"]:
            from django.conf import settings

            from smart.notify.worker import Notifier

            threads.append(Notifier())
            if settings.SMART_TELEGRAM_TOKEN:
                from smart.notify.bot import BotPoller

                threads.append(BotPoller())
        from django.conf import settings as conf

        if conf.SMART_ASRP_URL:
            from smart.reports.asrp import Forwarder

            threads.append(Forwarder(every=conf.SMART_ASRP_ROUND_S))
        prober = None
        if not opts["no_probes"]:
            from smart.probes.prober import Prober

            prober = Prober()
            threads.append(prober)
        for thread in threads:
            thread.start()
        self.stdout.write(f"SMART listening on http://{opts['host']}:{opts['port']}/ ({opts['workers']} processing "
                          f"worker(s){', prober' if prober else ''})")
        uvicorn.run(
            "smart.asgi:application",
            host=opts["host"],
            port=opts["port"],
            workers=opts["web_processes"],
            log_level="warning",
            proxy_headers=True,
            server_header=False,
            lifespan="off",
        )
        if prober is not None:
            prober.shutdown()
        for thread in threads:
            if thread is not prober:
                thread.stop.set()
        for thread in threads:
            thread.join(10)
