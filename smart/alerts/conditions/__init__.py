"""Condition kinds of the catalogue (`condition.kind`) → functions that find where a condition holds now.

Each function takes (condition dict, Scope) and returns {object_key: Observation}. The table names the
module and function of each kind; a kind whose function is not there yet is not evaluated, and
`supported()` says so (the catalogue validation test lists what is missing).
"""
from functools import cache
from importlib import import_module

KINDS = {
    # probe results (smart.probes CheckState)
    "check_failing": "checks:check_failing",
    "check_state": "checks:check_state",
    # combinators and roll-ups
    "any_of": "combine:any_of",
    "all_of": "combine:all_of",
    "count_rollup": "rollup:count_rollup",
    # facts from reports (sysinfo, status files) and the registry
    "status_value": "reports:status_value",
    "state_compare": "reports:state_compare",
    "licence_horizon": "reports:licence_horizon",
    "licence_undated": "reports:licence_undated",
    "db_error": "reports:db_error",
    "operup_age": "reports:operup_age",
    "disk_free": "reports:disk_free",
    "clock_skew": "reports:clock_skew",
    "registry_flag": "reports:registry_flag",
    "search_log": "activity:search_log",
    "login_spread": "activity:login_spread",
    "staleness": "staleness:staleness",
    "event": "events:event",
    # time: online counters, calendar checks, usage windows
    "counter_left": "online:counter_left",
    "repeated_exhaustion": "online:repeated_exhaustion",
    "calendar": "calendar:calendar",
    "usage_in_window": "usage:usage_in_window",
}


@cache
def resolve(path: str | None):
    """"module:function" of this package → the function, or None while it is not there."""
    if path is None:
        return None
    module, name = path.split(":")
    try:
        return getattr(import_module(f"{__name__}.{module}"), name)
    except (ImportError, AttributeError):
        return None


def function(kind: str):
    return resolve(KINDS.get(kind))


def supported(condition: dict) -> bool:
    if condition["kind"] in ("any_of", "all_of"):
        parts = [supported(c) for c in condition["conditions"]]
        return function(condition["kind"]) is not None and (any(parts) if condition["kind"] == "any_of" else all(parts))
    return function(condition["kind"]) is not None


def observe(condition: dict, scope):
    found = function(condition["kind"])
    return found(condition, scope) if found else {}
