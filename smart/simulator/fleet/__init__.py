"""The fleet generator: deterministic K/TE installations and the files their scripts upload.

    from smart.simulator.fleet import Fleet
    fleet = Fleet(seed=7, installations=30, start=date(2025, 11, 1))
    report = fleet.sysinfo_at(0, instant)        # smart.formats.model.SysinfoReport
    data = fleet.sysinfo_zip(0, instant)          # <NAME>.zip bytes (reference XML, or SQLite)
    status = fleet.status_at(0, instant)          # <NAME>.status bytes
    for instant, kind, name, data in fleet.thin_history(0, end): ...

Pure Python, no Django. Modules: `installation` (fixed traits and schedules), `episodes` (what goes
wrong, when), `activity` (users' days, sessions, counters, searches), `sysinfo` (the report),
`status` (the .status file and its documented metric set), `calendar` (the production calendar),
`vocab` (names and query texts), `rand` (keyed randomness), `fleet` (the Fleet and back-fill).
"""
from .fleet import DEFAULT_WINDOW, SYSINFO_TIERS, STATUS_TIERS, Fleet
from .status import METRIC_NAMES

__all__ = ["DEFAULT_WINDOW", "METRIC_NAMES", "STATUS_TIERS", "SYSINFO_TIERS", "Fleet"]
