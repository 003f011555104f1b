"""pages/schema.json describes both page files; online.json satisfies it and the scraper's needs."""
import copy
import json
from pathlib import Path

import jsonschema
import pytest

from smart.probes.pages import DIR

SCHEMA = json.loads((DIR / "schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _load(name: str) -> dict:
    return json.loads((DIR / name).read_text(encoding="utf-8"))


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"].endswith("2020-12/schema")
    assert set(SCHEMA["$defs"]) >= {"online", "kte"}


def test_online_json_is_valid():
    VALIDATOR.validate(_load("online.json"))


def test_kte_json_is_valid_when_present():
    if not (DIR / "kte.json").exists():
        pytest.skip("pages/kte.json not written yet")
    VALIDATOR.validate(_load("kte.json"))


@pytest.mark.parametrize("path", [
    ("paths", "history"), ("login_fields", "password"), ("session_cookie",), ("xpaths", "counter_row"),
    ("xpaths", "history_cells", "results"), ("billable",), ("time_zone",),
])
def test_online_json_without_a_key_is_refused(path):
    data = copy.deepcopy(_load("online.json"))
    node = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    assert not VALIDATOR.is_valid(data)


def test_online_json_typos_are_refused():
    data = _load("online.json")
    assert not VALIDATOR.is_valid(dict(data, sesion_cookie="X"))
    assert not VALIDATOR.is_valid(dict(data, counters=["documents", "search", "print", "fax"]))
    assert not VALIDATOR.is_valid(dict(data, billable={"patterns": []}))


KTE = {
    "paths": {"main": "/docs", "login": "/users/login", "logout": "/users/logout", "state": "/admin/state",
              "sysinfo": "/sysinfo/si_save_request", "sysmon": "/sysmon/metrics",
              "legacy_metrics": "/sysinfo/metrics"},
    "login_fields": {"login": "login", "password": "password"},
    "session_cookie": "KSESSION",
    "markers": {"login_error": ["login-error"]},
    "anything_else": {"is": "allowed"},
}


def test_kte_shape():
    VALIDATOR.validate(KTE)
    for key in ("paths", "login_fields", "session_cookie"):
        assert not VALIDATOR.is_valid({k: v for k, v in KTE.items() if k != key}), key
    assert not VALIDATOR.is_valid({k: v for k, v in KTE.items() if k != "markers"})  # markers or xpaths
    assert VALIDATOR.is_valid(dict({k: v for k, v in KTE.items() if k != "markers"}, xpaths={}))
    paths = {k: v for k, v in KTE["paths"].items() if k != "sysmon"}
    assert not VALIDATOR.is_valid(dict(KTE, paths=paths))


def test_billable_patterns_compile_and_xpaths_parse():
    import re

    from lxml import etree

    data = _load("online.json")
    for pattern in data["billable"]["patterns"]:
        re.compile(pattern)
    xpaths = dict(data["xpaths"])
    xpaths.update({f"cell_{k}": v for k, v in xpaths.pop("history_cells").items()})
    for key, xpath in xpaths.items():
        etree.XPath(xpath)  # raises on a syntax error


def test_schema_file_location():
    assert Path(DIR / "schema.json").is_file() and (DIR / "online.json").is_file()
