import signal

from django.core.management.base import BaseCommand

from smart.pipeline.worker import Worker, drain


class Command(BaseCommand):
    help = "Run processing workers without the web server (scale-out), or process what is pending and exit."

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--drain", action="store_true", help="process every ready job, then exit")

    def handle(self, *args, **opts):
        if opts["drain"]:
            self.stdout.write(f"processed {drain()} job(s)")
            return
        workers = [Worker(i) for i in range(opts["threads"])]
        for worker in workers:
            worker.start()
        stop = lambda *_: [w.stop.set() for w in workers]  # noqa: E731
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for worker in workers:
            while worker.is_alive():
                worker.join(1)
        self.stdout.write(f"processed {sum(w.processed for w in workers)} job(s)")
