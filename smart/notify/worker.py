"""The notifier, in a thread of `smart serve`: routes flips into the outbox, queues the follow-ups of
firing alerts (re-notify, escalation, morning reminder), merges chat backlogs over budget, and sends
what is due."""
import logging
import threading
import time

from django.db import close_old_connections, connections

from .digest import merge_backlogs
from .outbox import route_pending
from .reminders import run_reminders
from .sender import send_due

log = logging.getLogger("smart.notify")
REMINDERS_EVERY_S = 15.0  # the follow-up pass reads every firing alert: not on each 0.5 s tick


class Notifier(threading.Thread):
    def __init__(self, every: float = 0.5, reminders_every: float = REMINDERS_EVERY_S):
        super().__init__(name="notifier", daemon=True)
        self.every = every
        self.reminders_every = reminders_every
        self.stop = threading.Event()
        self._reminders_due = 0.0  # monotonic time of the next follow-up pass

    def run_once(self, now=None) -> int:
        """One round of every stage; returns how many notifications were routed, queued or sent (a merge
        only removes work, so it does not count)."""
        close_old_connections()
        done = route_pending(now)
        if time.monotonic() >= self._reminders_due:
            self._reminders_due = time.monotonic() + self.reminders_every
            done += run_reminders(now)
        merge_backlogs(now)
        return done + send_due(now)

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
