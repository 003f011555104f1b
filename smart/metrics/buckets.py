"""Time buckets of a step chosen from the range (what Grafana's $__interval does), computed in the database.

`step_seconds(start, end)` picks the finest step of STEPS that keeps a series at or under `max_points` points;
`Bucket(field, step, offset)` is the bucket number of a timestamp (floor((epoch + offset) / step)) on SQLite and
PostgreSQL alike, and `bucket_start` turns a bucket number back into an aware datetime. The offset is the
viewer's UTC offset, so that 6-hour or daily buckets start at local midnight.
"""
from datetime import datetime, timedelta, timezone

from django.db.models import BigIntegerField, Func

HOUR = 3600
STEPS = tuple(h * HOUR for h in (1, 2, 3, 6, 12, 24, 48, 168))


def step_seconds(start: datetime, end: datetime, max_points: int) -> int:
    """The finest step (seconds) of STEPS that gives at most `max_points` buckets over [start, end)."""
    span = max((end - start).total_seconds(), 1)
    return next((s for s in STEPS if span / s <= max_points), STEPS[-1])


def utc_offset(tz, at: datetime) -> int:
    """The zone's offset from UTC at `at`, in whole seconds."""
    return int((at.astimezone(tz).utcoffset() or timedelta()).total_seconds())


def bucket_start(number: int, step: int, offset: int, tz) -> datetime:
    return datetime.fromtimestamp(number * step - offset, timezone.utc).astimezone(tz)


class Bucket(Func):
    """floor((unix time of `expression` + offset) / step) as an integer."""

    output_field = BigIntegerField()

    def __init__(self, expression, step: int, offset: int = 0):
        super().__init__(expression)
        self.step, self.offset = int(step), int(offset)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        # date_part is double precision (EXTRACT is numeric since PostgreSQL 14: several times slower)
        return (f"((FLOOR(date_part('epoch', {sql}))::bigint + {self.offset}) / {self.step})", params)

    def as_sql(self, compiler, connection, **extra):  # SQLite: datetimes are UTC text; integer division floors
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"((CAST(strftime('%%s', {sql}) AS INTEGER) + {self.offset}) / {self.step})", params)
