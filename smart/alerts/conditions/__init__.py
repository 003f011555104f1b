"""Condition kinds of the catalogue (`condition.kind`) → functions that find where a condition holds now.

Each function takes (condition dict, Scope) and returns {object_key: Observation}. A kind without a
function here is not evaluated yet; `supported()` lists the ones that are.
"""
from .checks import check_failing, check_state
from .combine import any_of
from .rollup import count_rollup

KINDS = {
    "check_failing": check_failing,
    "check_state": check_state,
    "any_of": any_of,
    "count_rollup": count_rollup,
}


def supported(condition: dict) -> bool:
    if condition["kind"] == "any_of":
        return any(supported(c) for c in condition["conditions"])
    return condition["kind"] in KINDS


def observe(condition: dict, scope):
    function = KINDS.get(condition["kind"])
    return function(condition, scope) if function else {}
