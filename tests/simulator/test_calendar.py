"""The production calendar: holidays, transferred days off, shortened pre-holiday days, month end."""
from datetime import date

from smart.simulator.fleet.calendar import (
    HOLIDAY, PREHOLIDAY, WEEKEND, WORKDAY, day_kind, is_holiday, month_end_factor, working_days_left,
)


def test_new_year_holidays_are_jan_1_to_8():
    assert all(is_holiday(date(2026, 1, d)) for d in range(1, 9))
    assert day_kind(date(2026, 1, 9)) == WORKDAY  # Friday


def test_single_day_holidays():
    for month, day in ((2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)):
        assert day_kind(date(2026, month, day)) == HOLIDAY


def test_weekend_holiday_moves_to_monday():
    assert date(2026, 3, 8).weekday() == 6 and day_kind(date(2026, 3, 9)) == HOLIDAY
    assert date(2025, 11, 2).weekday() == 6 and day_kind(date(2025, 11, 3)) != HOLIDAY  # Nov 2 is no holiday


def test_preholiday_and_weekend():
    assert day_kind(date(2026, 11, 3)) == PREHOLIDAY
    assert day_kind(date(2026, 11, 7)) == WEEKEND


def test_month_end_peak_on_the_last_three_working_days():
    assert working_days_left(date(2026, 4, 30)) == 0
    last, two_before, middle = date(2026, 4, 30), date(2026, 4, 28), date(2026, 4, 15)
    assert month_end_factor(last) > month_end_factor(two_before) > month_end_factor(middle)
    assert month_end_factor(date(2026, 4, 15)) == 1.0
