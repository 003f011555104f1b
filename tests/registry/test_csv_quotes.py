"""RFC 4180 quotes: firm names and passwords may hold commas, semicolons and quotes (E15)."""
from smart.registry import csvio

LINE = '"Рога, копыта и ""сыновья""",login,"pa,ss""word;",online.kodeks.ru,docs,https,m,a@b.ru\r\n'


def test_quoted_fields_keep_commas_and_doubled_quotes():
    row = csvio.parse(LINE.encode()).rows[0]
    assert row.firm == 'Рога, копыта и "сыновья"'
    assert row.password == 'pa,ss"word;'
    assert row.login == "login"


def test_formatting_quotes_only_where_needed_and_reads_back():
    rows = csvio.parse(LINE.encode()).rows
    data = csvio.format_online(rows)
    assert data == LINE.encode()
    assert csvio.parse(data).rows == rows


def test_space_before_opening_quote_is_allowed():
    line = 'firm, login , "pa,ss" ,online.kodeks.ru,docs,https,m,a@b.ru\n'
    assert csvio.parse(line.encode()).rows[0].password == "pa,ss"


def test_missing_closing_quote_is_reported_at_its_line():
    data = ('ok,login,pw,online.kodeks.ru,docs,https,m,a@b.ru\n'
            'firm,login2,"unclosed,online.kodeks.ru,docs,https,m,a@b.ru\n'
            'other,login3,pw,online.kodeks.ru,docs,https,m,a@b.ru\n')
    errors = csvio.parse(data.encode(), kind="online").errors
    assert [(e.line, e.code) for e in errors] == [(2, "bad_quotes")]
