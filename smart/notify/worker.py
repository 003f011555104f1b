"""The notifier: routes flips into the outbox and sends what is due, in a thread of `smart serve`."""
import logging
import threading

from django.db import close_old_connections, connections

from .outbox import route_pending
from .sender import send_due

log = logging.getLogger("smart.notify")


class Notifier(threading.Thread):
    def __init__(self, every: float = 0.5):
        super().__init__(name="notifier", daemon=True)
        self.every = every
        self.stop = threading.Event()

    def run_once(self) -> int:
        close_old_connections()
        return route_pending() + send_due()

    def run(self):
        try:
            while not self.stop.wait(self.every):
                try:
                    while self.run_once():
                        pass
                except Exception:  # noqa: BLE001 - a database or network hiccup must not stop delivery
                    log.exception("notifier loop error")
        finally:
            connections.close_all()
