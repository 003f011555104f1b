"""The legacy `<tz>` registry field: an hour offset from Saratov (UTC+4); Moscow (UTC+3) is -1 (E1)."""
import re
from datetime import datetime, timezone as dt_timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

SARATOV_UTC_OFFSET_H = 4

# Canonical IANA zone for each whole-hour UTC offset used in Russia (and neighbours).
ZONE_FOR_UTC_OFFSET = {
    2: "Europe/Kaliningrad",
    3: "Europe/Moscow",
    4: "Europe/Saratov",
    5: "Asia/Yekaterinburg",
    6: "Asia/Omsk",
    7: "Asia/Krasnoyarsk",
    8: "Asia/Irkutsk",
    9: "Asia/Yakutsk",
    10: "Asia/Vladivostok",
    11: "Asia/Magadan",
    12: "Asia/Kamchatka",
}

# `int()` would also take "1_0" or Arabic-Indic digits; the field is a small signed number. Editors
# sometimes turn "-" into a typographic minus (U+2212), which is accepted as well.
_OFFSET_RE = re.compile(r"^([+\-\u2212]?)([0-9]{1,2})$")

# Files of the tz database that are not zones a person would mean ("localtime" is the host's zone).
_NOT_ZONES = {"localtime", "posixrules", "Factory"}


class BadTimeZone(ValueError):
    pass


@lru_cache(maxsize=1)
def _zones_by_lower_name() -> dict:
    # available_timezones() scans the disk (~25 ms): far too slow to call once per registry row.
    return {name.lower(): name for name in available_timezones() if name not in _NOT_ZONES}


def zone_from_legacy(value: str) -> str:
    """An IANA zone from the registry field: a legacy offset (`-1`, `+2`, `0`) or an IANA name.

    IANA names are matched case-insensitively and returned in their canonical spelling.
    Raises BadTimeZone for anything else.
    """
    text = (value or "").strip()
    if not text:
        raise BadTimeZone("empty time zone")
    match = _OFFSET_RE.match(text)
    if not match:
        zone = _zones_by_lower_name().get(text.lower())
        if zone is None:
            raise BadTimeZone(f"unknown time zone {text!r}")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadTimeZone(f"unknown time zone {text!r}") from None
        return zone
    offset = int(match.group(2)) * (-1 if match.group(1) in ("-", "\u2212") else 1)
    utc = offset + SARATOV_UTC_OFFSET_H
    if utc not in ZONE_FOR_UTC_OFFSET:
        raise BadTimeZone(f"offset {offset:+d} from Saratov (UTC{utc:+d}) is not a Russian time zone")
    return ZONE_FOR_UTC_OFFSET[utc]


def legacy_from_zone(zone: str, at: datetime | None = None) -> str:
    """The legacy field for an IANA zone: its offset from Saratov (`-1`, `0`, `+2`), or the zone's name
    where the offset would not read back as the same zone (a non-canonical or non-Russian zone), so
    export round-trips. `at` (default: now) is the instant whose offset is used."""
    at = at or datetime.now(dt_timezone.utc)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt_timezone.utc)
    try:
        offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return zone
    seconds = int(offset.total_seconds())
    if seconds % 3600 or ZONE_FOR_UTC_OFFSET.get(seconds // 3600) != zone:
        return zone
    legacy = seconds // 3600 - SARATOV_UTC_OFFSET_H
    # The spec and the dealers' files write positive offsets with a sign ("+2"); zero is "0".
    return f"{legacy:+d}" if legacy else "0"
