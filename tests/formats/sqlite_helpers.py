"""Building (and breaking) SQLite sysinfo files for the tests."""
import sqlite3
import tempfile
from pathlib import Path

from smart.formats import sqlite_bytes

from .samples import ZONE, make_report


def reference_sqlite() -> bytes:
    return sqlite_bytes(make_report(), time_zone=ZONE)


def with_sql(statements: list[str], base: bytes | None = None) -> bytes:
    """The reference SQLite (or `base`) after running `statements` on it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "db.sqlite"
        path.write_bytes(base if base is not None else reference_sqlite())
        conn = sqlite3.connect(path)
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.close()
        return path.read_bytes()


def patched(data: bytes, offset: int, value: bytes) -> bytes:
    return data[:offset] + value + data[offset + len(value):]
