"""Every generated sysinfo parses back (through smart.formats) to exactly the generator's dataclass."""
import io
import zipfile
from datetime import timedelta

import pytest

from smart.formats import canonical, parse_report

from .conftest import variant


def _parse(fleet, i, data, t):
    return parse_report(data, time_zone=fleet.installation(i).zone_name, received_at=t)


@pytest.mark.parametrize("i", range(0, 30, 3))
def test_zip_parses_to_the_generated_report(fleet, i):
    t = fleet.now - timedelta(days=2, hours=i, minutes=7)
    report = fleet.sysinfo_at(i, t)
    parsed = _parse(fleet, i, fleet.sysinfo_zip(i, t), t)
    assert parsed.kind == "sysinfo" and parsed.container == "zip"
    assert parsed.sysinfo.content() == report.content()
    assert parsed.sysinfo.unknown == () and parsed.warnings == ()


def test_generated_report_is_already_canonical(fleet):
    report = fleet.sysinfo_at(0, fleet.now)
    assert canonical(report).content() == report.content()


def test_sqlite_variant_round_trips():
    big, i = variant(lambda inst: inst.sqlite)
    parsed = _parse(big, i, big.sysinfo_zip(i, big.now), big.now)
    assert parsed.source_format == "sqlite"
    assert parsed.sysinfo.content() == big.sysinfo_at(i, big.now).content()


def test_windows_1251_variant_round_trips():
    big, i = variant(lambda inst: inst.encoding == "windows-1251" and not inst.sqlite)
    data = big.sysinfo_zip(i, big.now)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"encoding='windows-1251'" in archive.read("sysinfo.xml")[:100]
    parsed = _parse(big, i, data, big.now)
    assert parsed.sysinfo.content() == big.sysinfo_at(i, big.now).content()


def test_a_daily_report_with_a_day_of_searches_round_trips(fleet):
    t = fleet.now - timedelta(days=40)
    report = fleet.sysinfo_at(0, t, window=timedelta(days=1))
    parsed = _parse(fleet, 0, fleet.sysinfo_zip(0, t, window=timedelta(days=1)), t)
    assert parsed.sysinfo.content() == report.content()
