"""The writer's XML is valid against the published schema smart/formats/sysinfo.xsd."""
from pathlib import Path

import pytest
from hypothesis import given, settings
from lxml import etree

from smart.formats import write_xml

from .samples import ZONE, report_xml
from .strategies import reports

XSD = Path(__file__).resolve().parents[2] / "smart" / "formats" / "sysinfo.xsd"
SCHEMA = etree.XMLSchema(etree.parse(str(XSD)))


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1251"])
def test_sample_report_is_schema_valid(encoding):
    assert SCHEMA.validate(etree.fromstring(report_xml(encoding=encoding))), SCHEMA.error_log


@settings(max_examples=50, deadline=None)
@given(reports())
def test_generated_reports_are_schema_valid(report):
    assert SCHEMA.validate(etree.fromstring(write_xml(report, time_zone=ZONE))), SCHEMA.error_log
