"""A cut-off SQLite upload is `truncated`."""
from .samples import failure
from .sqlite_helpers import reference_sqlite

DB = reference_sqlite()


def test_cut_inside_a_page():
    assert failure(DB[: len(DB) - 100]).status == "truncated"


def test_cut_at_a_page_boundary():
    assert failure(DB[: len(DB) - 4096]).status == "truncated"


def test_cut_inside_the_header():
    assert failure(DB[:50]).status == "truncated"
