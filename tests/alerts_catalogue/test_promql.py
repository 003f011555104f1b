import re

import pytest

from smart.alerts import catalogue, promql


def _all_variants():
    rules = catalogue.load()
    return [(rule.name, v) for rule in rules.values() for v in promql.variants(rule, rules)]


def test_exprs_read_only_declared_series():
    declared = set(promql.mapping()["metrics"]) | {"ALERTS"}
    for name, variant in _all_variants():
        assert promql.metric_names(variant.expr) <= declared, name
        assert promql.metric_names(variant.expr), name


def test_declared_series_are_all_used():
    used = set().union(*(promql.metric_names(v.expr) for _, v in _all_variants()))
    assert set(promql.mapping()["metrics"]) - used == set()


def test_parentheses_balance():
    for name, variant in _all_variants():
        depth = 0
        for ch in re.sub(r'"(?:[^"\\]|\\.)*"', '""', variant.expr):
            depth += {"(": 1, ")": -1}.get(ch, 0)
            assert depth >= 0, name
        assert depth == 0, name


@pytest.mark.parametrize("seconds, text", [(0, "0s"), (45, "45s"), (300, "5m"), (10800, "3h"), (604800, "7d")])
def test_duration(seconds, text):
    assert promql.duration(seconds) == text


def test_label_values_are_escaped_for_regexes():
    c = {"kind": "check_failing", "check": "billing", "consecutive": 1, "states": ["OtherErrorCode400+"]}
    assert 'state=~"OtherErrorCode400\\\\+"' in promql.compile_condition(c)


def test_count_rollup_thresholds():
    rules = catalogue.load()
    tenant, platform = promql.variants(rules["KodeksMaintenanceCount"], rules)
    assert platform.expr.endswith(">= 31") and platform.labels == {"scope": "platform"}
    assert tenant.expr.endswith(">= 31") and tenant.labels == {"scope": "tenant"}
    tenant, _ = promql.variants(rules["KodeksIcmpCount"], rules)
    assert "clamp_min(clamp_max(ceil(0.25 * count by (dealer) (smart_installation_info)), 10), 3)" in tenant.expr


def test_mutes_become_unless_clauses():
    rules = catalogue.load()
    [variant] = promql.variants(rules["OnlineUserActivityIsLow10"], rules)
    assert 'unless on(dealer, installation, online_access) (smart_flag{flag="seasonal"} == 1)' in variant.expr
