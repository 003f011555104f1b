"""The prolongation table from a simulated installation's real reports, through ingest and the pipeline.

The expected monthly figures come from the reports themselves: per-user counters are month-to-date, so a month's
use is the sum over users of the counters in the month's newest report (a daily report at ~23:xx local time)."""
from datetime import date, datetime, timedelta, timezone

from smart.simulator.fleet import Fleet

from .helpers import ctx_for, panel

UTC = timezone.utc


def test_monthly_totals_match_the_reports(world):
    from smart.ingest import service
    from smart.pipeline.worker import drain
    from smart.registry.models import Installation

    fleet = Fleet(seed=11, installations=1, start=date(2025, 1, 1))  # now = 2026-02-01 12:00 UTC
    inst = fleet.installation(0)
    Installation.objects.create(dealer=world.dealer, client=world.c1, kind="pushed", name=fleet.name(0),
                                time_zone=inst.zone.key)
    start = datetime(2025, 11, 20, tzinfo=inst.zone).astimezone(UTC)
    end = datetime(2026, 1, 31, 23, 59, tzinfo=inst.zone).astimezone(UTC)
    keep = {date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 15), date(2026, 1, 31)}  # a few reports: fast
    instants = [t for t in fleet.schedule(0, start, end, timedelta(days=1)) if t.astimezone(inst.zone).date() in keep]
    newest = {}
    for t in instants:
        service.accept_internal(world.dealer, f"{fleet.name(0)}.zip", fleet.sysinfo_zip(0, t), source="test")
        local = t.astimezone(inst.zone)
        newest[(local.year, local.month)] = t
    drain()

    def expected(year, month, *fields):
        report = fleet.sysinfo_at(0, newest[(year, month)])
        return sum(getattr(u, f) or 0 for u in report.counters or () for f in fields)

    data = panel("prolongation", "table", ctx_for(world.admin, "2026-01-01T00:00", "2026-12-31T23:59:59",
                                                  client=world.c1.pk))
    rows = {r["metric"]: r for r in data["rows"]}
    docs = expected(2026, 1, "documents_opened", "documents_free")
    assert docs > 0
    assert rows["Number of documents requested from the DB"]["m1"] == docs
    assert rows["Number of saved documents"]["m1"] == expected(2026, 1, "saves")
    assert rows["Number of printed documents"]["m1"] == expected(2026, 1, "prints")
    activity = expected(2026, 1, "db_requests", "documents_opened", "services", "link_follows", "saves", "prints",
                        "searches", "kassist_requests")
    assert rows["User activity: all actions"]["m1"] == activity
    # January against December (month-to-date counters: December's newest report carries the whole month)
    december = expected(2025, 12, "documents_opened", "documents_free")
    assert rows["% change of documents vs the previous month"]["m1"] == float(f"{(docs - december) / december * 100:.3g}")
    assert rows["Number of documents requested from the DB"]["m2"] == "No data"
