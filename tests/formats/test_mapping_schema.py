"""The mapping file is valid against its JSON schema, and the schema itself is valid JSON Schema."""
import json
from pathlib import Path

import pytest

from smart.formats.mapping import MAPPINGS_DIR
from smart.formats.model import SECTIONS

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = json.loads((MAPPINGS_DIR / "mapping.schema.json").read_text(encoding="utf-8"))


def test_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", sorted(MAPPINGS_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_mapping_file_validates(path: Path):
    if path.name == "mapping.schema.json":
        return
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(path.read_text(encoding="utf-8")))


def test_schema_lists_exactly_the_model_sections():
    assert set(SCHEMA["properties"]["sections"]["propertyNames"]["enum"]) == set(SECTIONS)


def test_a_broken_mapping_is_caught_by_the_schema():
    broken = {"name": "x", "version": 1, "sections": {"header": {"kind": "object", "fields": {
        "generated_at": {"xml": "../@evil", "type": "datetime"}}}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(broken)
