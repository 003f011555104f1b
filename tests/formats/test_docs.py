"""The format page documents every failure status and every mapped field."""
from pathlib import Path

import pytest

from smart.formats.errors import STATUSES
from smart.formats.mapping import reference_mapping

DOC = (Path(__file__).resolve().parents[2] / "docs" / "sysinfo-format.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("status", sorted(STATUSES))
def test_every_status_is_documented(status):
    assert f"`{status}`" in DOC


def test_every_reference_field_appears_in_the_field_table():
    for spec in reference_mapping().sections:
        for field in spec.fields:
            assert f".{field.name}" in DOC or f"`{spec.name}.{field.name}`" in DOC, (spec.name, field.name)
