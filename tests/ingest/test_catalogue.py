"""The ingest answer catalogue is valid against its schema and every code used in code exists in it."""
import json
import re
from pathlib import Path

import jsonschema

import smart.ingest as ingest
from smart.ingest.errors import CATALOGUE_PATH, catalogue


def test_catalogue_matches_schema():
    schema = json.loads(CATALOGUE_PATH.with_name("errors.schema.json").read_text())
    jsonschema.validate(catalogue(), schema)


def test_every_code_raised_is_catalogued():
    source = "".join(p.read_text() for p in Path(ingest.__file__).parent.glob("*.py"))
    used = set(re.findall(r'IngestError\("([a-z_]+)"', source))
    assert used and used <= set(catalogue())


def test_status_series_catalogue_matches_schema():
    from smart.metrics import status_series

    schema = json.loads(Path(status_series.__file__).with_name("status_series.schema.json").read_text())
    jsonschema.validate(status_series.definitions(), schema)
