"""Bulk writes for the big per-report tables, without the ORM's per-value compilation.

Multi-row `INSERT … VALUES (…), (…) ON CONFLICT …` statements (one round trip per batch); the same
SQL works on SQLite (3.24+) and PostgreSQL. Values are adapted once per column type, as Django would
store them.
"""
from datetime import timezone as dt_timezone

from django.db import connection, models

UTC = dt_timezone.utc


def _adapter(field, vendor: str):
    if vendor != "sqlite":
        return None  # psycopg adapts datetimes, dates and the rest natively
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    return None


MAX_PARAMS = 30000  # below SQLite's 32,766 and PostgreSQL's 65,535 bind parameters per statement


def insert(model, rows: list[dict], unique: tuple[str, ...], update: tuple[str, ...] = ()) -> None:
    """Insert rows (dicts keyed by field name; foreign keys as `<name>_id`); on a unique conflict do
    nothing, or overwrite the `update` columns."""
    if not rows:
        return
    names = list(rows[0])
    fields = [model._meta.get_field(n[:-3] if n.endswith("_id") else n) for n in names]
    columns = [f.column for f in fields]
    unique_columns = [model._meta.get_field(n).column for n in unique]
    quote = connection.ops.quote_name
    if update:
        action = "DO UPDATE SET " + ", ".join(
            f"{quote(model._meta.get_field(n).column)} = excluded.{quote(model._meta.get_field(n).column)}" for n in update
        )
    else:
        action = "DO NOTHING"
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) VALUES "
    tail = f" ON CONFLICT ({', '.join(map(quote, unique_columns))}) {action}"
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    adapters = [_adapter(f, connection.vendor) for f in fields]
    batch = max(1, MAX_PARAMS // len(columns))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), batch):
            chunk = rows[i : i + batch]
            params = [a(row[n]) if a else row[n] for row in chunk for n, a in zip(names, adapters)]
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
