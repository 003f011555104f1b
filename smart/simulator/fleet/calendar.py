"""The Russian production calendar, reduced to what shapes K/TE usage.

Public holidays (Labour Code art. 112): Jan 1-8 (New Year holidays and Christmas), Feb 23, Mar 8,
May 1, May 9, Jun 12, Nov 4. A single-day holiday that falls on a Saturday or Sunday moves the day off
to the next Monday (the usual transfer; the government's yearly decree also moves the New Year
weekend days elsewhere, which is not modelled). The working day before a holiday is one hour shorter.
"""
from datetime import date, timedelta
from functools import lru_cache

HOLIDAYS = frozenset({(1, d) for d in range(1, 9)} | {(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)})

WORKDAY, PREHOLIDAY, WEEKEND, HOLIDAY = "workday", "preholiday", "weekend", "holiday"


def is_holiday(d: date) -> bool:
    """A public holiday, or the Monday a weekend holiday moved to."""
    if (d.month, d.day) in HOLIDAYS:
        return True
    if d.weekday() == 0:  # Monday: a transferred day off?
        for back in (1, 2):
            prev = d - timedelta(days=back)
            if (prev.month, prev.day) in HOLIDAYS and prev.month != 1:
                return True
    return False


@lru_cache(maxsize=8192)
def day_kind(d: date) -> str:
    """WORKDAY, PREHOLIDAY (one hour shorter), WEEKEND or HOLIDAY."""
    if is_holiday(d):
        return HOLIDAY
    if d.weekday() >= 5:
        return WEEKEND
    if is_holiday(d + timedelta(days=1)):
        return PREHOLIDAY
    return WORKDAY


def is_working(d: date) -> bool:
    return day_kind(d) in (WORKDAY, PREHOLIDAY)


@lru_cache(maxsize=4096)
def working_days_left(d: date) -> int:
    """Working days after `d` until the end of its month (0 on the month's last working day)."""
    count, cur = 0, d + timedelta(days=1)
    while cur.month == d.month:
        count += is_working(cur)
        cur += timedelta(days=1)
    return count


def month_end_factor(d: date) -> float:
    """Usage peaks on the last three working days of a month (reports, closing, payroll)."""
    if not is_working(d):
        return 1.0
    left = working_days_left(d)
    return (1.45, 1.3, 1.15)[left] if left < 3 else 1.0


def season_factor(d: date) -> float:
    """Mild seasonality shared by every client: summer holidays, December year-end closing."""
    if d.month in (7, 8):
        return 0.8
    if d.month == 12 and d.day >= 15:
        return 1.1
    return 1.0


def month_start(d: date) -> date:
    return d.replace(day=1)


def next_month(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def prev_month(d: date) -> date:
    return (d.replace(day=1) - timedelta(days=1)).replace(day=1)
