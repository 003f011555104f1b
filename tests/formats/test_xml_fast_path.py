"""The generated fast extractor of flat records agrees with the reference extractor, value for value."""
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from smart.formats.convert import LocalClock, zone_from_name
from smart.formats.extract import ElementExtractor, Sink, flat_eligible, make_flat
from smart.formats.mapping import reference_mapping

MAPPING = reference_mapping()
FLAT = [s for s in MAPPING.sections if s.kind == "list" and flat_eligible(s)]
CLOCK = LocalClock(zone_from_name("Europe/Moscow"))
_VALUE = st.one_of(st.sampled_from(["", " ", "0", "1", "-5", "12", "1.5", "2,5", "nan", "true", "no",
                                    "2024-05-14", "2024-05-14T10:00:00", "2024-05-14T10:00:00+03:00", "x"]),
                   st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
                           max_size=8))


def test_reference_flat_sections():
    assert {s.name for s in FLAT} >= {"users", "sessions", "counters", "searches", "login_refusals"}


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_fast_and_generic_agree(data):
    spec = data.draw(st.sampled_from(FLAT))
    names = [f.xml.attr for f in spec.fields if f.xml and f.xml.attr] + ["unmapped"]
    attrib = data.draw(st.dictionaries(st.sampled_from(names), _VALUE, max_size=len(names)))
    text = data.draw(st.none() | _VALUE)
    fast = make_flat(spec, CLOCK)(attrib, text)
    el = etree.Element("r", attrib)
    el.text = text
    generic = ElementExtractor(spec, CLOCK, Sink(100, 100), "/r", check_attrs=True).extract(el)
    if fast is not None:  # the fast path may give up, but when it answers it must agree
        assert fast == generic
