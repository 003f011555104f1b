"""The cached local->UTC conversion equals zoneinfo's exact answer, DST transitions included."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from smart.formats.convert import LocalClock

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Europe/Moscow", "Asia/Kathmandu", "UTC"]


@settings(max_examples=300)
@given(zone=st.sampled_from(ZONES),
       stamps=st.lists(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1)),
                       min_size=1, max_size=20))
def test_cached_offsets_match_zoneinfo(zone, stamps):
    clock = LocalClock(ZoneInfo(zone))
    for stamp in stamps + stamps:  # the second pass hits the cache
        expected = stamp.replace(tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
        assert clock.to_utc(stamp.isoformat()) == expected


def test_writer_inverse_gives_wall_clock_text():
    clock = LocalClock(ZoneInfo("Europe/Moscow"))
    assert clock.to_local_text(datetime(2024, 5, 14, 7, 0, tzinfo=timezone.utc)) == "2024-05-14T10:00:00"
