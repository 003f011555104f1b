"""sysinfo wall-clock times become UTC with the installation's IANA zone (00-product "Time", E1)."""
from datetime import datetime, timezone

import pytest

from .samples import failure, parse

DOC = """<?xml version="1.0" encoding="utf-8"?>
<sysinfo><header><generated>{generated}</generated></header>
<users><user login="a" last_login="{login}"/></users></sysinfo>"""


def _parsed(zone, generated="2024-05-14T10:00:00", login="2024-05-14T09:30:00"):
    return parse(DOC.format(generated=generated, login=login).encode(), time_zone=zone).sysinfo


@pytest.mark.parametrize("zone, hour", [("Europe/Moscow", 7), ("Asia/Yekaterinburg", 5), ("Europe/Samara", 6),
                                        ("Asia/Vladivostok", 0), ("UTC", 10)])
def test_local_generation_time_is_converted(zone, hour):
    assert _parsed(zone).header.generated_at == datetime(2024, 5, 14, hour, 0, tzinfo=timezone.utc)


def test_record_times_are_converted_too():
    user = _parsed("Asia/Yekaterinburg").users[0]
    assert user.last_login_at == datetime(2024, 5, 14, 4, 30, tzinfo=timezone.utc)


def test_an_explicit_offset_in_the_file_wins_over_the_zone():
    sysinfo = _parsed("Asia/Vladivostok", generated="2024-05-14T10:00:00+03:00", login="2024-05-14T09:30:00Z")
    assert sysinfo.header.generated_at == datetime(2024, 5, 14, 7, 0, tzinfo=timezone.utc)
    assert sysinfo.users[0].last_login_at == datetime(2024, 5, 14, 9, 30, tzinfo=timezone.utc)


def test_results_are_utc_aware():
    assert _parsed("Europe/Moscow").header.generated_at.tzinfo is timezone.utc


def test_ambiguous_dst_time_resolves_to_the_first_occurrence():
    # 02:30 on 2024-10-27 happens twice in Berlin; fold=0 is the earlier (summer time, UTC+2).
    sysinfo = _parsed("Europe/Berlin", generated="2024-10-27T02:30:00")
    assert sysinfo.header.generated_at == datetime(2024, 10, 27, 0, 30, tzinfo=timezone.utc)


def test_unknown_zone_is_a_caller_error():
    with pytest.raises(ValueError):
        _parsed("Mars/Olympus")


def test_naive_receipt_time_is_a_caller_error():
    with pytest.raises(ValueError):
        parse(b"<sysinfo/>", received_at=datetime(2024, 5, 14))


def test_unparsable_generation_time_is_bad_header():
    data = DOC.format(generated="yesterday", login="2024-05-14T09:30:00").encode()
    assert failure(data).status == "bad_header"
