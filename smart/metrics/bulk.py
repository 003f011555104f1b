"""Bulk writes for the big per-report tables, without the ORM's per-value compilation.

Multi-row `INSERT … VALUES (…), (…) ON CONFLICT …` statements (one round trip per batch); the same
SQL works on SQLite (3.24+) and PostgreSQL. Values are adapted once per column type, as Django would
store them.
"""
import zlib
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


COPY_FROM = 200  # rows; PostgreSQL takes bigger sets through COPY into a session's staging table
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
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
        _copy_insert(model, rows, names, columns, unique_columns, action)
        return
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


def _copy_insert(model, rows, names, columns, unique_columns, action) -> None:
    """PostgreSQL: COPY into a temporary staging table, then one INSERT … SELECT … ON CONFLICT.

    Binding tens of thousands of parameters costs seconds; COPY streams them (a big report's first
    upload writes ~20,000 rows)."""
    quote = connection.ops.quote_name
    table = model._meta.db_table
    cols = ", ".join(map(quote, columns))
    staging = quote(f"staging_{table}_{zlib.crc32(cols.encode()):08x}")  # one per column set
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} AS SELECT {cols} FROM {quote(table)} WITH NO DATA")
        cursor.execute(f"TRUNCATE {staging}")
        with cursor.cursor.copy(f"COPY {staging} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[n] for n in names])
        cursor.execute(f"INSERT INTO {quote(table)} ({cols}) SELECT {cols} FROM {staging} "
                       f"ON CONFLICT ({', '.join(map(quote, unique_columns))}) {action}")
        cursor.execute(f"TRUNCATE {staging}")
