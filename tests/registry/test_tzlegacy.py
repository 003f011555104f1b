from datetime import datetime, timezone

import pytest

from smart.registry import csvio
from smart.registry.models import CLIENT_SLUG_RE
from smart.registry.tzlegacy import BadTimeZone, legacy_from_zone, zone_from_legacy


@pytest.mark.parametrize(
    "legacy, zone",
    [("-1", "Europe/Moscow"), ("0", "Europe/Saratov"), ("+2", "Asia/Omsk"), ("-2", "Europe/Kaliningrad"),
     ("+8", "Asia/Kamchatka")],
)
def test_legacy_offset_converts_both_ways(legacy, zone):
    assert zone_from_legacy(legacy) == zone
    assert legacy_from_zone(zone) == legacy


def test_unsigned_positive_offset_is_accepted():
    assert zone_from_legacy("2") == "Asia/Omsk"


def test_typographic_minus_is_accepted():
    assert zone_from_legacy("\u22121") == "Europe/Moscow"


def test_iana_name_is_accepted_in_any_case():
    assert zone_from_legacy("Asia/Novosibirsk") == "Asia/Novosibirsk"
    assert zone_from_legacy(" europe/moscow ") == "Europe/Moscow"


def test_non_canonical_zone_exports_its_name_so_it_reads_back():
    assert legacy_from_zone("Asia/Novosibirsk") == "Asia/Novosibirsk"
    assert legacy_from_zone("Europe/Berlin") == "Europe/Berlin"
    assert zone_from_legacy(legacy_from_zone("Europe/Samara")) == "Europe/Samara"


def test_export_uses_the_offset_at_the_given_instant():
    # Moscow was UTC+4 in summer 2010: that offset does not read back as Moscow, so the name is used.
    assert legacy_from_zone("Europe/Moscow", at=datetime(2010, 7, 1, tzinfo=timezone.utc)) == "Europe/Moscow"
    assert legacy_from_zone("Europe/Moscow", at=datetime(2020, 7, 1, tzinfo=timezone.utc)) == "-1"


@pytest.mark.parametrize("value", ["", "  ", "+9", "-3", "1_0", "٢", "Mars/Olympus", "localtime", "1.5", "--1"])
def test_bad_values_are_rejected(value):
    with pytest.raises(BadTimeZone):
        zone_from_legacy(value)


def test_unknown_zone_in_the_database_exports_as_is():
    assert legacy_from_zone("Not/AZone") == "Not/AZone"


def test_csv_client_name_rule_is_the_models_rule():
    assert csvio.CLIENT_SLUG_RE.pattern == CLIENT_SLUG_RE.pattern
