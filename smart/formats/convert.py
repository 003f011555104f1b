"""Text (or SQLite value) -> typed value, and installation wall-clock -> UTC.

sysinfo timestamps are the installation's local wall-clock time without an offset (00-product, "Time").
`LocalClock` attaches the installation's IANA zone and converts to UTC. It caches the UTC offset per
local hour because a report has ~10^5 timestamps and zoneinfo arithmetic costs ~1.5 us each; an hour is
cached only when the offset is the same at its first and last microsecond, so transitions stay exact.
Ambiguous wall-clock times (the repeated hour when DST ends) resolve to the first occurrence (fold=0).
"""
import math
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc
_HOUR_END = timedelta(minutes=59, seconds=59, microseconds=999999)
_TRUE = frozenset({"1", "true", "yes", "y", "t", "да"})
_FALSE = frozenset({"0", "false", "no", "n", "f", "нет"})


def zone_from_name(name: str) -> ZoneInfo:
    """The IANA zone `name`, or ValueError (a caller error, not an input error)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown IANA time zone {name!r}") from exc


class LocalClock:
    """Converts one installation's wall-clock values into aware UTC datetimes."""

    def __init__(self, zone: tzinfo):
        self.zone = zone
        self._offsets: dict[str, timedelta | None] = {}
        # The cached UTC offset for a local-hour key (value[:13]); None when unknown or not cacheable.
        # A bound dict.get, so generated extractors look it up without a Python call.
        self.cached_offset = self._offsets.get

    def to_utc(self, value, fmt: str | None = None) -> datetime:
        """Parse `value` (ISO 8601 text, strptime `fmt` text, or a datetime) as local time; return UTC."""
        if fmt is None and type(value) is str:
            try:
                # Parsing the wall-clock digits "as UTC" gives an aware value at C speed; the offset
                # lookup below turns it into the real instant.
                wall = datetime.fromisoformat(value + "+00:00")
            except ValueError:
                pass
            else:
                offset = self._offsets.get(value[:13], False)
                if offset is False:
                    offset = self._hour_offset(value[:13], wall)
                if offset is not None:
                    return wall - offset
                return self._exact(wall.replace(tzinfo=None))
        return self._exact(self._parse(value, fmt))

    def to_local_text(self, instant: datetime) -> str:
        """The writer's inverse: UTC instant -> local wall-clock ISO text without offset."""
        return instant.astimezone(self.zone).replace(tzinfo=None).isoformat()

    def _hour_offset(self, key: str, wall: datetime) -> timedelta | None:
        naive = wall.replace(tzinfo=None)
        start = naive.replace(minute=0, second=0, microsecond=0)
        first, last = self.zone.utcoffset(start), self.zone.utcoffset(start + _HOUR_END)
        offset = first if first == last and first == self.zone.utcoffset(naive) else None
        if len(self._offsets) < 100_000:  # bounded: keys come from untrusted text
            self._offsets[key] = offset
        return offset

    def _exact(self, naive: datetime) -> datetime:
        if naive.tzinfo is not None:  # the file gave an explicit offset: it wins over the zone
            return naive.astimezone(UTC)
        return naive.replace(tzinfo=self.zone).astimezone(UTC)

    @staticmethod
    def _parse(value, fmt: str | None) -> datetime:
        if isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime.combine(value, time())
        if not isinstance(value, str):
            raise ValueError(f"not a timestamp: {value!r}")
        text = value.strip()
        if fmt:
            return datetime.strptime(text, fmt)
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        return datetime.fromisoformat(text)


def to_str(value) -> str | None:
    """Stripped text; blank is None (not available)."""
    if isinstance(value, bytes):
        raise ValueError("binary value where text was expected")
    text = str(value).strip()
    return text or None


def to_int(value) -> int:
    """An integer from text or a SQLite number; floats must be whole."""
    if isinstance(value, bool) or isinstance(value, bytes):
        raise ValueError(f"not an integer: {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"not an integer: {value!r}")
        return int(value)
    return int(value)


def to_float(value) -> float:
    """A finite float; a decimal comma is accepted."""
    if isinstance(value, bytes):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, str):
        value = value.strip().replace(",", ".")  # Russian-locale decimal comma
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"not a finite number: {value!r}")
    return result


def to_bool(value) -> bool:
    """1/0, true/false, yes/no, да/нет in any case."""
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def to_date(value, fmt: str | None = None) -> date:
    """A calendar date from ISO text (or `fmt`); a timestamp gives its date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    if fmt:
        return datetime.strptime(text, fmt).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        return datetime.fromisoformat(text).date()  # a timestamp where a date was expected


def converter(ftype: str, fmt: str | None, clock: LocalClock):
    """A one-argument function turning a raw (non-None) value into `ftype`; raises ValueError."""
    if ftype == "str":
        return to_str
    if ftype == "int":
        return to_int
    if ftype == "float":
        return to_float
    if ftype == "bool":
        return to_bool
    if ftype == "date":
        return (lambda v: to_date(v, fmt)) if fmt else to_date
    if ftype == "local_datetime":
        return (lambda v: clock.to_utc(v, fmt)) if fmt else clock.to_utc
    raise ValueError(f"unknown field type {ftype!r}")


def format_value(ftype: str, value, clock: LocalClock) -> str | int | float:
    """Writer side: a typed value -> the text (or SQLite scalar) the reference format stores."""
    if ftype == "local_datetime":
        return clock.to_local_text(value)
    if ftype == "date":
        return value.isoformat()
    if ftype == "bool":
        return 1 if value else 0
    if ftype == "float":
        return float(value)
    if ftype == "int":
        return int(value)
    return str(value)
