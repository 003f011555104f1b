"""Hypothesis strategies for normalized reports, derived from the model and the reference mapping."""
from datetime import date, datetime, timezone

from hypothesis import strategies as st

from smart.formats.mapping import reference_mapping
from smart.formats.model import SysinfoReport

# Zones without DST since 2014 (Russia), so every wall-clock time maps to exactly one instant.
ZONES = ["Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Vladivostok",
         "Asia/Kamchatka", "UTC"]

# XML 1.0 forbids most C0 controls, surrogates and U+FFFE/U+FFFF; CR would be normalised by parsers.
_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
text = st.text(_CHARS, min_size=1, max_size=24).map(str.strip).filter(bool)
instants = st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2099, 12, 31),
                        timezones=st.just(timezone.utc))
dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31))
_BY_TYPE = {
    "str": text,
    "int": st.integers(min_value=-(2**31), max_value=2**62),
    "float": st.floats(allow_nan=False, allow_infinity=False, width=64),
    "bool": st.booleans(),
    "date": dates,
    "local_datetime": instants,
}


def _value(field):
    value = _BY_TYPE[field.type]
    if field.multi:
        value = st.lists(value, max_size=3).map(tuple)
    return value if field.required else st.none() | value


def _object(spec):
    kwargs = {f.name: _value(f) for f in spec.fields}
    for child in spec.children:
        kwargs[child.name] = st.lists(_object(child), max_size=3).map(tuple)
    return st.builds(spec.cls, **kwargs)


def _section(spec):
    if spec.kind == "object":
        return st.none() | _object(spec)
    return st.none() | st.lists(_object(spec), max_size=4).map(tuple)


def reports():
    """Reports with random content in every mapped section (not yet canonical)."""
    mapping = reference_mapping()
    sections = {spec.name: _section(spec) for spec in mapping.sections if spec.name != "header"}
    header = _object(mapping.section("header"))
    return st.builds(SysinfoReport, header=header, **sections)
