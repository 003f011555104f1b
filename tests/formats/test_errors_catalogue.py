"""Every failure status is defined once, described in one line, and used by name in the code."""
import re
from pathlib import Path

import pytest

from smart.formats.errors import STATUSES, ParseFailure

SOURCE = Path(__file__).resolve().parents[2] / "smart" / "formats"
REQUIRED = {"truncated", "zip_bomb", "nested_archive", "path_traversal", "not_sysinfo", "xml_bomb",
            "external_entity", "malformed_xml", "bad_encoding", "sqlite_corrupt", "sqlite_too_large",
            "error_page", "empty", "unknown_content"}


def test_required_statuses_exist():
    assert REQUIRED <= STATUSES.keys()


@pytest.mark.parametrize("status", sorted(STATUSES))
def test_each_status_has_a_one_line_english_description(status):
    description = STATUSES[status]
    assert re.fullmatch(r"[a-z_]+", status)
    assert description and "\n" not in description and description.endswith(".")
    assert description.isascii()


def test_every_status_raised_in_the_code_is_defined():
    used = set()
    for path in SOURCE.glob("*.py"):
        used |= set(re.findall(r'ParseFailure\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert used <= STATUSES.keys()
    assert used, "no statuses found: the scan is broken"


def test_unknown_status_is_a_programming_error():
    with pytest.raises(ValueError):
        ParseFailure("no_such_status")


def test_collector_errors_are_flagged():
    assert ParseFailure("error_page", http_status=401).collector_error
    assert ParseFailure("empty").collector_error
    assert not ParseFailure("truncated").collector_error


def test_error_pages_carry_a_hint_by_http_status():
    assert "access" in ParseFailure("error_page", http_status=401).hint
    assert "maintenance" in ParseFailure("error_page", http_status=503).hint
    assert ParseFailure("error_page").hint is None and ParseFailure("truncated", http_status=401).hint is None
