"""Size, page-count and work limits on SQLite uploads: `sqlite_too_large`."""
from smart.formats import Limits

from .samples import failure, parse, zip_of
from .sqlite_helpers import reference_sqlite

DB = reference_sqlite()


def test_page_count_limit():
    assert failure(DB, limits=Limits(max_sqlite_pages=3)).status == "sqlite_too_large"


def test_byte_limit_while_copying():
    assert failure(DB, limits=Limits(max_sqlite_bytes=8192)).status == "sqlite_too_large"


def test_byte_limit_for_a_zipped_database():
    assert failure(zip_of({"s.sqlite": DB}), limits=Limits(max_sqlite_bytes=8192)).status == "sqlite_too_large"


def test_work_limit_stops_long_queries():
    from .sqlite_helpers import with_sql

    big = with_sql(["WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                    "INSERT INTO search_log (time, login) SELECT '2024-05-14T10:00:00', 'u' || i FROM n"])
    assert failure(big, limits=Limits(max_sqlite_steps=50_000)).status == "sqlite_too_large"
    assert len(parse(big).sysinfo.searches) == 20004
