"""load_mapping checks a mapping against the model, so a bad mapping fails at load, not mid-parse."""
import copy
import json

import pytest

from smart.formats.mapping import REFERENCE_MAPPING, MappingError, load_mapping, reference_mapping
from smart.formats.model import SECTIONS, field_names

REFERENCE = json.loads(REFERENCE_MAPPING.read_text(encoding="utf-8"))


def _broken(change):
    data = copy.deepcopy(REFERENCE)
    change(data)
    return data


def test_reference_mapping_maps_every_model_field():
    mapping = reference_mapping()
    assert {s.name for s in mapping.sections} == set(SECTIONS)
    for spec in mapping.sections:
        children = {c.name for c in spec.children}
        assert {f.name for f in spec.fields} | children == set(field_names(spec.cls)), spec.name
        assert all(f.xml is not None and f.sqlite_column for f in spec.fields), spec.name


@pytest.mark.parametrize("change, message", [
    (lambda d: d["sections"].update(nonsense={"kind": "list", "fields": {"a": {}}}), "unknown section"),
    (lambda d: d["sections"]["users"]["fields"].update(shoe_size={"xml": "@s"}), "no field"),
    (lambda d: d["sections"]["users"].update(kind="object"), "is a list"),
    (lambda d: d["sections"]["users"]["fields"]["login"].update(type="uuid"), "unknown type"),
    (lambda d: d["sections"]["users"]["fields"]["login"].update(xml="@lo gin"), "bad XML field path"),
    (lambda d: d["sections"]["users"].update(xml="/other/users/user"), "must be absolute"),
    (lambda d: d["sections"]["users"]["fields"]["login"].update(multi=True), "only allowed in object"),
    (lambda d: d["sections"]["users"]["fields"]["login"].update(regex="(a)(b)"), "at most one group"),
    (lambda d: d["sections"]["volumes"]["sqlite"].pop("key"), "needs 'key'"),
    (lambda d: d["sections"].pop("header"), "header"),
])
def test_inconsistent_mapping_is_refused(change, message):
    with pytest.raises(MappingError, match=message):
        load_mapping(_broken(change))


def test_mapping_error_is_a_value_error():
    assert issubclass(MappingError, ValueError)
