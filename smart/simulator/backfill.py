"""Back-filling a simulated fleet's history through ingest, newest first, so that recent dashboards fill
before old months (processing copes with any order)."""
import logging
import threading
from datetime import datetime, timedelta

from django.db import close_old_connections, connections

from smart.ingest import service
from smart.ingest.errors import IngestError

from .fleet import STATUS_TIERS, SYSINFO_TIERS, Fleet

log = logging.getLogger("smart.demo")

# (newest age, oldest age) slices of the history, accepted in this order
SLICES = ((timedelta(0), timedelta(days=2)), (timedelta(days=2), timedelta(days=35)), (timedelta(days=35), None))


def backfill(fleet: Fleet, dealer, installations: list[int], end: datetime, months: int = 13,
             stop: threading.Event | None = None) -> dict:
    """Accept the thinned history of `installations` up to `end`; returns counts by answer code."""
    begin = end - timedelta(days=round(months * 30.44))
    counts: dict[str, int] = {}
    for newest, oldest in SLICES:
        hi, lo = end - newest, max(begin, end - oldest) if oldest else begin
        for i in installations:
            if stop is not None and stop.is_set():
                return counts
            sysinfo = [t for t in fleet.thin_schedule(i, begin, end, SYSINFO_TIERS) if lo <= t < hi]
            status = [t for t in fleet.thin_schedule(i, begin, end, STATUS_TIERS, "status") if lo <= t < hi]
            for _, _, file_name, data in fleet.history(i, lo, hi, sysinfo_instants=sysinfo, status_instants=status):
                try:
                    code = service.accept_internal(dealer, file_name, data, source="demo back-fill").code
                except IngestError as err:
                    code = err.code
                counts[code] = counts.get(code, 0) + 1
        log.info("back-fill: history up to %s ago accepted (%s)", oldest or f"{months} months", counts)
    return counts


class Backfill(threading.Thread):
    def __init__(self, fleet: Fleet, dealer, installations: list[int], end: datetime, months: int = 13):
        super().__init__(name="demo-backfill", daemon=True)
        self.args = (fleet, dealer, installations, end, months)
        self.stop = threading.Event()
        self.counts: dict = {}

    def run(self):
        try:
            close_old_connections()
            self.counts = backfill(*self.args, stop=self.stop)
        except Exception:
            log.exception("demo back-fill failed")
        finally:
            connections.close_all()
