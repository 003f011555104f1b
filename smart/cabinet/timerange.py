"""The dashboard time range (A §1.4): Grafana-style expressions, quick ranges, shift and zoom out.

Pure functions over aware datetimes. An expression is `now`, `now-<n><unit>` (unit s m h d w M y),
optionally rounded with `/d`, `/w`, `/M` or `/y` (`now/d` is today's midnight in the user's zone),
or an absolute ISO date or date-time read in the user's zone.
"""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

_EXPR = re.compile(r"^now(?:-(?P<n>\d+)(?P<unit>[smhdwMy]))?(?:/(?P<round>[dwMy]))?$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}

# (from, label): applied at once, from the 5-minute range to two years (A §1.4).
QUICK_RANGES = [
    ("now-5m", _("Last 5 minutes")), ("now-15m", _("Last 15 minutes")), ("now-30m", _("Last 30 minutes")),
    ("now-1h", _("Last 1 hour")), ("now-3h", _("Last 3 hours")), ("now-6h", _("Last 6 hours")),
    ("now-12h", _("Last 12 hours")), ("now-24h", _("Last 24 hours")), ("now-2d", _("Last 2 days")),
    ("now-7d", _("Last 7 days")), ("now-30d", _("Last 30 days")), ("now-90d", _("Last 90 days")),
    ("now-6M", _("Last 6 months")), ("now-1y", _("Last 1 year")), ("now-2y", _("Last 2 years")),
]
QUICK = dict(QUICK_RANGES)
ABSOLUTE_STEP = timedelta(days=10)  # shift and zoom-out step of a custom range (A §1.4)


class BadRange(ValueError):
    pass


def _months_back(dt: datetime, months: int) -> datetime:
    y, m = divmod(dt.year * 12 + dt.month - 1 - months, 12)
    m += 1
    day = min(dt.day, [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30,
                       31, 30, 31][m - 1])
    return dt.replace(year=y, month=m, day=day)


def parse(expr: str, now: datetime, tz: ZoneInfo) -> datetime:
    """One end of a range as an aware datetime in `tz`."""
    expr = (expr or "").strip()
    m = _EXPR.match(expr)
    if m:
        t = now.astimezone(tz)
        if m["n"]:
            n, unit = int(m["n"]), m["unit"]
            if unit in _UNIT_S:
                t = t - timedelta(seconds=n * _UNIT_S[unit])
            else:
                t = _months_back(t, n * (12 if unit == "y" else 1))
        if m["round"]:
            t = t.replace(hour=0, minute=0, second=0, microsecond=0)
            if m["round"] == "w":
                t -= timedelta(days=t.weekday())
            elif m["round"] == "M":
                t = t.replace(day=1)
            elif m["round"] == "y":
                t = t.replace(month=1, day=1)
        return t
    try:
        t = datetime.fromisoformat(expr)
    except ValueError as exc:
        raise BadRange(expr) from exc
    return t.replace(tzinfo=tz) if t.tzinfo is None else t.astimezone(tz)


@dataclass(frozen=True)
class TimeRange:
    raw_from: str
    raw_to: str
    start: datetime
    end: datetime

    @classmethod
    def from_query(cls, frm: str | None, to: str | None, now: datetime, tz: ZoneInfo,
                   default: str = "now-24h") -> "TimeRange":
        frm, to = frm or default, to or "now"
        try:
            start, end = parse(frm, now, tz), parse(to, now, tz)
        except BadRange:
            frm, to = default, "now"
            start, end = parse(frm, now, tz), parse(to, now, tz)
        if end <= start:
            start, end = end, start
            frm, to = to, frm
        return cls(frm, to, start, end)

    @property
    def is_quick(self) -> bool:
        return self.raw_to == "now" and self.raw_from in QUICK

    @property
    def label(self) -> str:
        if self.is_quick:
            return str(QUICK[self.raw_from])
        return f"{self.start:%Y-%m-%d %H:%M} — {self.end:%Y-%m-%d %H:%M}"

    def crosses_month(self) -> bool:
        """True when the range cuts a calendar month (a monthly metric then covers part of a month)."""
        def on_month_start(t):
            t = t.replace(second=0, microsecond=0)
            return t.day == 1 and t.hour == 0 and t.minute == 0

        if not on_month_start(self.start):
            return True
        # [Nov 1, Dec 1) is exactly November; so is a calendar pick ending Nov 30 23:59
        return not (on_month_start(self.end) or on_month_start(self.end + timedelta(minutes=1)))

    def shifted(self, direction: int) -> tuple[str, str]:
        """Shift back (-1) or forward (+1): a custom range by 10 days as documented, a quick range by its width
        (it becomes an absolute range)."""
        step = ABSOLUTE_STEP if not self.is_quick else self.end - self.start
        d = step * direction
        return _iso(self.start + d), _iso(self.end + d)

    def zoomed_out(self) -> tuple[str, str]:
        """A quick range becomes the next larger quick range; a custom one grows by 10 days at each end."""
        if self.is_quick:
            keys = [k for k, _ in QUICK_RANGES]
            i = keys.index(self.raw_from)
            return keys[min(i + 1, len(keys) - 1)], "now"
        return _iso(self.start - ABSOLUTE_STEP), _iso(self.end + ABSOLUTE_STEP)


def _iso(t: datetime) -> str:
    return t.replace(microsecond=0, tzinfo=None).isoformat(timespec="minutes")


REFRESH_CHOICES = ["", "5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"]  # A §1.5: fixed list


def refresh_seconds(value: str) -> int:
    if value not in REFRESH_CHOICES or not value:
        return 0
    n, unit = int(value[:-1]), value[-1]
    return n * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
