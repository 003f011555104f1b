"""The parser never trusts its input: any bytes give rows and errors, never an exception."""
from hypothesis import given, settings, strategies as st

from smart.registry import csvio

FIELD_ALPHABET = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_are_parsed_without_exceptions(data):
    parsed = csvio.parse(data)
    assert all(isinstance(e, csvio.RowError) and e.code and e.reason for e in parsed.errors)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", ",", ";", '"', " ", "\r\n", "\n", "ping", "download", "8", ":"]),
                max_size=60))
def test_csv_like_text_is_parsed_without_exceptions(parts):
    csvio.parse("".join(parts).encode())


@settings(max_examples=200, deadline=None)
@given(
    firm=st.text(FIELD_ALPHABET, min_size=1, max_size=64).map(str.strip).filter(bool),
    password=st.text(FIELD_ALPHABET, min_size=1, max_size=40).map(str.strip).filter(bool),
)
def test_online_rows_round_trip_through_the_file_format(firm, password):
    row = csvio.OnlineRow(line=1, firm=firm, login="login", password=password, host="online.kodeks.ru",
                          folder="docs", scheme="https", manager="Иванов", alert_emails="a@dealer.ru")
    parsed = csvio.parse(csvio.format_online([row]), kind="online")
    assert parsed.errors == []
    assert (parsed.rows[0].firm, parsed.rows[0].password) == (firm, password)
