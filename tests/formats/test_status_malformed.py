"""A .status whose body is not valid Prometheus text is `malformed_metrics`; non-UTF-8 is `bad_encoding`."""
import pytest

from smart.formats import Limits, ParseFailure
from smart.formats.status import parse_status

from .samples import RECEIVED, failure


def test_unquoted_label_value():
    assert failure(b"kserver_up 1\nkserver_down{a=b} 1\n").status == "malformed_metrics"


def test_bad_line_beyond_the_sniffed_head():
    data = b"date: Tue, 14 May 2024 10:00:00 GMT\n" + b"kserver_up 1\n" * 500 + b"kserver_down one\n"
    assert failure(data).status == "malformed_metrics"


def test_not_utf8():
    with pytest.raises(ParseFailure) as caught:
        parse_status(b"kserver_up 1\n# \xff\xfe\n", received_at=RECEIVED, limits=Limits())
    assert caught.value.status == "bad_encoding"


def test_size_limit():
    with pytest.raises(ParseFailure) as caught:
        parse_status(b"kserver_up 1\n" * 100, received_at=RECEIVED, limits=Limits(max_status_bytes=100))
    assert caught.value.status == "too_large"
