"""A database whose pages are damaged fails quick_check: `sqlite_corrupt`."""
from .samples import failure
from .sqlite_helpers import patched, reference_sqlite

DB = reference_sqlite()


def test_damaged_btree_page():
    page = 4096 * 2  # page 3: a table's b-tree page
    assert failure(patched(DB, page, b"\x00")).status == "sqlite_corrupt"


def test_garbage_over_the_schema_page():
    assert failure(patched(DB, 100, b"\xff" * 200)).status == "sqlite_corrupt"


def test_non_utf8_text_is_bad_encoding():
    from .sqlite_helpers import with_sql

    data = with_sql(["UPDATE header SET legal_name = CAST(X'CEEEEE' AS TEXT)"])
    assert failure(data).status == "bad_encoding"
