import copy
import json

import jsonschema
import pytest

from smart.alerts import catalogue

SCHEMA = json.loads(catalogue.SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_schema_is_valid_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_catalogue_matches_schema():
    assert [e.message for e in VALIDATOR.iter_errors(catalogue.raw())] == []


def _entry(name="KodeksIcmp") -> dict:
    data = copy.deepcopy(catalogue.raw())
    return data, next(e for e in data["alerts"] if e["name"] == name)


def test_entries_are_strict():
    data, entry = _entry()
    entry["colour"] = "red"
    assert not VALIDATOR.is_valid(data)


@pytest.mark.parametrize("condition", [
    {"kind": "no_such_kind"},
    {"kind": "check_failing", "check": "telnet", "consecutive": 2},
    {"kind": "check_failing", "check": "tcp", "consecutive": 2, "extra": 1},
    {"kind": "counter_left", "counter": "documents", "min": 1},
    {"kind": "status_value", "series": "up", "op": "==", "value": 0, "consecutive": 1, "max_age_s": 60,
     "mode": "increase"},
])
def test_conditions_are_a_closed_strict_set(condition):
    data, entry = _entry()
    entry["condition"] = condition
    assert not VALIDATOR.is_valid(data)


def test_condition_kinds_are_enumerated_once():
    kinds = SCHEMA["$defs"]["conditionKinds"]["enum"]
    assert len(kinds) == len(set(kinds))
    assert {f"c_{k}" for k in kinds} == {d for d in SCHEMA["$defs"] if d.startswith("c_")}
    used = set().union(*(rule.condition_kinds() for rule in catalogue.load().values()))
    assert used == set(kinds)  # every kind is used, none is dead weight


def test_legacy_priority_and_importance_values():
    data, entry = _entry()
    entry["legacy_priority"] = "K6"
    assert not VALIDATOR.is_valid(data)
    data, entry = _entry()
    entry["importance"] = "warning"
    assert not VALIDATOR.is_valid(data)
