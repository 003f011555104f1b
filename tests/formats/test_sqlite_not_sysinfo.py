"""An SQLite file that is not a sysinfo, or whose tables are views, is refused or read as absent."""

from .samples import failure, parse
from .sqlite_helpers import with_sql


def _empty_db(tmp_path, statements):
    return with_sql(statements, base=b"")  # a zero-length file is an empty SQLite database


def test_other_database(tmp_path):
    data = _empty_db(tmp_path, ["CREATE TABLE invoices (n INTEGER)", "INSERT INTO invoices VALUES (1)"])
    assert failure(data).status == "not_sysinfo"


def test_other_application_id(tmp_path):
    data = with_sql(["PRAGMA application_id = 42"])
    assert failure(data).status == "not_sysinfo"


def test_header_as_a_view_is_not_read(tmp_path):
    data = with_sql(["ALTER TABLE header RENAME TO h2", "CREATE VIEW header AS SELECT * FROM h2"])
    assert failure(data).status == "not_sysinfo"


def test_empty_header_table_is_bad_header():
    assert failure(with_sql(["DELETE FROM header"])).status == "bad_header"


def test_view_in_place_of_a_section_reads_as_absent():
    data = with_sql(["DROP TABLE users", "CREATE VIEW users AS SELECT 'x' AS login"])
    assert parse(data).sysinfo.users is None
