"""A cut-off XML upload is `truncated` (E4), wherever the cut falls."""
import pytest

from .samples import failure, report_xml

XML = report_xml()


@pytest.mark.parametrize("fraction", [0.05, 0.25, 0.5, 0.75, 0.99])
def test_cut_xml_is_truncated(fraction):
    assert failure(XML[: int(len(XML) * fraction)]).status == "truncated"


def test_cut_inside_a_multibyte_character_is_truncated():
    cut = XML.index("Иванов".encode()) + 1
    assert failure(XML[:cut]).status == "truncated"


def test_every_cut_point_near_the_end_is_truncated():
    for size in range(len(XML) - 60, len(XML) - 1):
        assert failure(XML[:size]).status == "truncated", size
