"""Unknown tables and columns are reported with row counts; missing columns are None; bad values warn."""
from .samples import parse
from .sqlite_helpers import with_sql


def test_unknown_table_and_column_are_reported():
    data = with_sql(["CREATE TABLE audit (at TEXT)", "INSERT INTO audit VALUES ('x'), ('y')",
                     "ALTER TABLE users ADD COLUMN nickname TEXT"])
    unknown = {u.path: u.count for u in parse(data).sysinfo.unknown}
    assert unknown == {"sqlite:audit": 2, "sqlite:users.nickname": 3}


def test_missing_column_reads_as_none():
    data = with_sql(["ALTER TABLE users DROP COLUMN phone"])
    assert all(u.phone is None for u in parse(data).sysinfo.users)


def test_bad_value_is_none_with_a_warning():
    data = with_sql(["UPDATE counters SET prints = 'lots'"])
    sysinfo = parse(data).sysinfo
    assert all(c.prints is None for c in sysinfo.counters)
    assert any("prints" in w for w in sysinfo.warnings)


def test_row_without_required_key_is_skipped():
    data = with_sql(["UPDATE users SET login = NULL WHERE login = 'user1'"])
    sysinfo = parse(data).sysinfo
    assert [u.login for u in sysinfo.users] == ["user0", "user2"]
