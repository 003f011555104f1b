"""The periodic evaluator: the alerts that depend on the passage of time, not on a new fact.

Every `every` seconds (SMART_ALERT_EVAL_INTERVAL_S, 60 by default) one pass evaluates, over every
installation and online access:
- the rules evaluated "periodic" (staleness, usage windows, Count roll-ups of periodic rules…);
- every rule that must resolve with time even when no new fact arrives: resolve kind "month_rollover"
  (quota and usage alerts end with the client's month), "quiet" (resolves after a quiet time) and
  "manual" (resolves after an acknowledgement, within one pass of it);
- the calendar rules: their condition decides from the pass's clock, in each client's zone, whether
  their moment has come (so a clock moved forward, `run_once(now=…)`, behaves like time passing).

`Evaluator` is a thread ready to run beside the prober and the notifier (`start()`, `stop.set()`,
`join()`); `run_once(now)` is one pass, for tests and `smart evaluate-alerts`.
"""
import logging
import threading
from datetime import datetime, timezone
from functools import cache

from django.conf import settings
from django.db import close_old_connections, connections

from .engine import evaluations, evaluate, rules

log = logging.getLogger("smart.alerts")
TIME_RESOLVED = ("month_rollover", "quiet", "manual")


@cache
def time_driven() -> frozenset:
    """Names of the rules a pass evaluates besides the "periodic" ones (see the module docstring)."""
    return frozenset(e["name"] for e in rules()
                     if "periodic" not in evaluations(e)
                     and ((e.get("resolve") or {}).get("kind") in TIME_RESOLVED or "calendar" in evaluations(e)))


def run_once(now: datetime | None = None) -> list:
    """One pass at `now` (default: the current time); returns the flips it made."""
    now = now or datetime.now(timezone.utc)
    flips = evaluate(now, names=time_driven())
    return flips + evaluate(now, evaluation="periodic")  # Count roll-ups of periodic rules come last


class Evaluator(threading.Thread):
    """Runs `run_once` every `every` seconds until `stop` is set."""

    def __init__(self, every: float | None = None):
        super().__init__(name="alert-evaluator", daemon=True)
        self.every = every if every is not None else settings.SMART_ALERT_EVAL_INTERVAL_S
        self.stop = threading.Event()
        self.passes = 0

    def run_once(self, now: datetime | None = None) -> list:
        close_old_connections()
        flips = run_once(now)
        self.passes += 1
        return flips

    def run(self):
        try:
            while True:
                try:
                    self.run_once()
                except Exception:  # noqa: BLE001 - a database hiccup must not stop evaluation
                    log.exception("periodic alert evaluation failed")
                if self.stop.wait(self.every):
                    break
        finally:
            connections.close_all()
