"""The .status time: the Date line in any case, else the receipt time (E22)."""
from datetime import datetime, timezone

import pytest

from .samples import RECEIVED, parse

METRICS = b'kserver_main_page{service="kodweb",path="/docs"} 0\n'


@pytest.mark.parametrize("line", [b"Date: Tue, 14 May 2024 10:00:00 GMT", b"date: Tue, 14 May 2024 10:00:00 GMT",
                                  b"DATE:Tue, 14 May 2024 10:00:00 GMT", b"  date:   Tue, 14 May 2024 10:00:00 GMT  "])
def test_date_line_in_any_case(line):
    status = parse(line + b"\n" + METRICS).status
    assert status.observed_at == datetime(2024, 5, 14, 10, 0, tzinfo=timezone.utc)
    assert status.time_source == "date_header"


def test_no_date_line_falls_back_to_receipt_time():
    parsed = parse(METRICS)
    assert parsed.observed_at == RECEIVED and parsed.status.time_source == "received_at"
    assert any("receipt time" in w for w in parsed.warnings)


def test_unparsable_date_falls_back_with_a_warning():
    parsed = parse(b"date: someday\n" + METRICS)
    assert parsed.status.time_source == "received_at" and any("someday" in w for w in parsed.warnings)


def test_offset_dates_are_converted_to_utc():
    status = parse(b"Date: Tue, 14 May 2024 13:00:00 +0300\n" + METRICS).status
    assert status.observed_at == datetime(2024, 5, 14, 10, 0, tzinfo=timezone.utc)


def test_the_last_date_of_a_redirect_chain_wins():
    data = (b"HTTP/1.1 302 Found\r\nDate: Tue, 14 May 2024 09:59:59 GMT\r\nLocation: /x\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nDate: Tue, 14 May 2024 10:00:00 GMT\r\n\r\n" + METRICS)
    status = parse(data).status
    assert status.observed_at.minute == 0 and status.http_status == 200
