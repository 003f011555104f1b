"""Writing check results: samples, current state per target and check, hourly availability.

The daily table (CheckDaily) is the hourly one summed by UTC day, added to in the same statement batch, so
long-range availability reads a row per target and day.

A sample row is kept for every failure, every change of state and, while nothing changes, one success
per check every `SMART_PROBE_SAMPLE_EVERY_S` (300 s): a healthy fleet probed every minute writes a
fifth of the rows, and every failure stays on record. The hourly table counts every run, so
availability percentages are exact whatever the sampling.
"""
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone as dt_timezone

import django.dispatch
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import TruncDate

from .models import CheckDaily, CheckHourly, CheckSample, CheckState
from .results import Result

# Sent after each batch is committed, with `results` (a list of Result): alert evaluation listens.
results_recorded = django.dispatch.Signal()

STATE_FIELDS = ["ok", "since", "last_run_at", "last_ok_at", "last_fail_at", "consecutive_failures", "runs",
                "failures", "code", "state", "latency_ms", "detail", "extra", "check_type"]


class Recorder:
    """Keeps the current states in memory (the prober is their only writer) and writes in batches."""

    def __init__(self):
        self.states: dict[str, CheckState] = {}

    def _load(self, keys: set[str]) -> None:
        missing = [k for k in keys if k not in self.states]
        for i in range(0, len(missing), 500):
            for state in CheckState.objects.filter(target_key__in=missing[i:i + 500]):
                self.states[state.target_key] = state

    def record(self, results: list[Result]) -> list[CheckState]:
        """Write one batch (one transaction); returns the states that changed ok/failed."""
        if not results:
            return []
        every = timedelta(seconds=getattr(settings, "SMART_PROBE_SAMPLE_EVERY_S", 300))
        self._load({r.target_key for r in results})
        samples, flips, touched = [], [], {}
        hourly = defaultdict(lambda: [0, 0, None])
        for r in results:
            state = self.states.get(r.target_key)
            if state is None:
                state = self.states[r.target_key] = CheckState(
                    target_key=r.target_key, dealer_id=r.dealer_id, installation_id=r.installation_id,
                    online_access_id=r.online_access_id, check_type=r.check, extra={})
            changed = state.ok is None or state.ok != r.ok
            due = state.last_run_at is None or (state.extra.get("sampled_at") or "") < (r.at - every).isoformat()
            if changed or not r.ok or due or state.state != r.state:
                samples.append(CheckSample(
                    dealer_id=r.dealer_id, installation_id=r.installation_id, online_access_id=r.online_access_id,
                    check_type=r.check, at=r.at, ok=r.ok, code=r.code, state=r.state[:24],
                    latency_ms=r.latency_ms, detail=r.detail[:300]))
                state.extra["sampled_at"] = r.at.isoformat()
            _apply(state, r, changed)
            if changed:
                flips.append(state)
            touched[r.target_key] = state
            cell = hourly[(r.target_key, r.at.replace(minute=0, second=0, microsecond=0))]
            cell[0] += 1
            cell[1] += int(r.ok)
            cell[2] = r
        with transaction.atomic():
            CheckSample.objects.bulk_create(samples, batch_size=500)
            CheckState.objects.bulk_create(list(touched.values()), update_conflicts=True, unique_fields=["target_key"],
                                           update_fields=STATE_FIELDS, batch_size=500)
            _add_hourly(hourly)
        for state in touched.values():
            state._state.adding = False
        results_recorded.send(sender=Recorder, results=results)
        return flips


def _apply(state: CheckState, r: Result, changed: bool) -> None:
    if changed:
        state.since = r.at
    state.ok = r.ok
    state.last_run_at = r.at
    state.runs += 1
    if r.ok:
        state.last_ok_at, state.consecutive_failures = r.at, 0
    else:
        state.last_fail_at = r.at
        state.consecutive_failures += 1
        state.failures += 1
    same = state.state == r.state[:24] and "state_runs" in state.extra
    state.extra["state_runs"] = state.extra["state_runs"] + 1 if same else 1  # runs in a row in this state
    if not same:
        state.extra["state_since"] = r.at.isoformat()
    state.code, state.state, state.latency_ms, state.detail = r.code, r.state[:24], r.latency_ms, r.detail[:300]
    for key in ("ip", "server", "seats_used", "seats_total"):
        if r.data.get(key):
            state.extra[key] = r.data[key]


def _add_hourly(hourly: dict) -> None:
    """Add runs and successes to the hourly and daily rows (insert or increment: a statement per 1,000 rows)."""
    adapt = connection.ops.adapt_datetimefield_value
    hours, days = [], defaultdict(lambda: [0, 0, None])
    for (key, hour), (total, ok, r) in hourly.items():
        hours.append([key, r.installation_id, r.online_access_id, r.check, adapt(hour), total, ok])
        cell = days[(key, hour.astimezone(dt_timezone.utc).date())]
        cell[0], cell[1], cell[2] = cell[0] + total, cell[1] + ok, r
    _upsert(CheckHourly, "hour", hours)
    _upsert(CheckDaily, "day", [[key, r.installation_id, r.online_access_id, r.check,
                                 connection.ops.adapt_datefield_value(day), total, ok]
                                for (key, day), (total, ok, r) in days.items()])


def _upsert(model, time_field: str, rows: list[list]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    one = "(%s, %s, %s, %s, %s, %s, %s)"
    for i in range(0, len(rows), 1000):
        chunk = rows[i:i + 1000]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (target_key, installation_id, online_access_id, check_type, {time_field}, total, ok) "
                f"VALUES {', '.join([one] * len(chunk))} ON CONFLICT (target_key, {time_field}) DO UPDATE SET "
                f"total = {table}.total + excluded.total, ok = {table}.ok + excluded.ok",
                [v for row in chunk for v in row])


def rebuild_daily(since: datetime | None = None, *, hourly_model=CheckHourly, daily_model=CheckDaily) -> int:
    """Recompute the daily rows from the hourly ones (from the UTC day of `since`, or all): for data written
    straight into the hourly table (migrations, imports, fixtures). Returns the number of daily rows."""
    first: date | None = since.astimezone(dt_timezone.utc).date() if since else None
    hours = hourly_model.objects.all()
    days = daily_model.objects.all()
    if first:
        hours = hours.filter(hour__gte=datetime(first.year, first.month, first.day, tzinfo=dt_timezone.utc))
        days = days.filter(day__gte=first)
    written = 0
    with transaction.atomic():
        days.delete()
        batch = []
        grouped = (hours.annotate(d=TruncDate("hour", tzinfo=dt_timezone.utc))
                   .values("target_key", "installation_id", "online_access_id", "check_type", "d")
                   .annotate(t=Sum("total"), o=Sum("ok")).order_by())
        for row in grouped.iterator(chunk_size=5000):
            batch.append(daily_model(target_key=row["target_key"], installation_id=row["installation_id"],
                                     online_access_id=row["online_access_id"], check_type=row["check_type"],
                                     day=row["d"], total=row["t"], ok=row["o"]))
            if len(batch) >= 5000:
                written += len(daily_model.objects.bulk_create(batch))
                batch = []
        written += len(daily_model.objects.bulk_create(batch))
    return written
