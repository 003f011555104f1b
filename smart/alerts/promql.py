"""Catalogue conditions compiled to PromQL over the series SMART exports (prometheus.json).

One function per condition kind. A rule becomes one or more `Variant`s: staleness tiers and escalations
are separate Prometheus rules of the same alert name with their own `priority` label, made mutually
exclusive, and Count roll-ups get one rule per scope. Prometheus has no latching, no dealer-local clock
and no inhibition (Alertmanager's job), so the export approximates those parts of the catalogue.
"""
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

MAPPING_PATH = Path(__file__).with_name("prometheus.json")
DAY = 86400


@lru_cache(maxsize=1)
def mapping() -> dict:
    """prometheus.json: the exported series and how condition inputs map onto them."""
    return json.loads(MAPPING_PATH.read_text(encoding="utf-8"))


def _id() -> str:
    return ", ".join(mapping()["identity_labels"])


@dataclass
class Variant:
    priority: str
    expr: str
    labels: dict = field(default_factory=dict)


def duration(seconds: int) -> str:
    """Prometheus duration: 0s, 45s, 5m, 3h, 7d."""
    for unit, size in (("d", DAY), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def quote(value: str) -> str:
    """A PromQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def alternatives(values) -> str:
    """An RE2 alternation matching exactly these literal values."""
    return "|".join(re.sub(r"([.+*?()|\[\]{}^$\\])", r"\\\1", str(v)) for v in values)


def _selector(metric: str, **labels) -> str:
    """metric{a="x", b=~"y"}: a value ("=", v), ("=~", v), ("!~", v) or a plain string for "="."""
    parts = []
    for name, spec in labels.items():
        op, value = spec if isinstance(spec, tuple) else ("=", spec)
        parts.append(f"{name}{op}{quote(str(value))}")
    return f"{metric}{{{', '.join(parts)}}}" if parts else metric


def _number(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _fresh(stream: str, max_age_s: int | None) -> str:
    if not max_age_s:
        return ""
    return f" and on(dealer, installation) ({_selector('smart_report_age_seconds', stream=stream)} < {max_age_s})"


def check_failing(c: dict) -> str:
    labels = {"check": c["check"]}
    if c.get("states"):
        labels["state"] = ("=~", alternatives(c["states"]))
    if c.get("exclude_states"):
        labels["state"] = ("!~", alternatives(c["exclude_states"]))
    expr = f"{_selector('smart_check_up', **labels)} == 0"
    if c["consecutive"] > 1:
        streak = _selector("smart_check_consecutive_failures", check=c["check"])
        expr = f"({expr}) and on({_id()}, check) ({streak} >= {c['consecutive']})"
    return expr


def check_state(c: dict) -> str:
    return _selector("smart_check_up", check=c["check"], state=("=~", alternatives(c["states"])))


def status_value(c: dict) -> str:
    series = _selector("smart_status", series=c["series"])
    if c.get("mode") == "increase":
        series = f"increase({series}[{duration(c['window_s'])}])"
    value = c["value"]
    rhs = (f"ignoring(series) {_selector('smart_status', series=value['series'])}" if isinstance(value, dict)
           else _number(value))
    return f"({series} {c['op']} {rhs}){_fresh('status', c.get('max_age_s'))}"


def state_compare(c: dict) -> str:
    spec = mapping()["state_fields"][c["field"]]
    op, value = c["op"], c["value"]
    if "label" in spec:  # a string field exported as a 1-valued series labelled with the value
        values = value if isinstance(value, list) else [value]
        match = "!~" if op in ("not_in", "!=") else "=~"
        expr = f"{_selector(spec['metric'], **{spec['label']: (match, alternatives(values))})} == 1"
    elif isinstance(value, dict):
        expr = f"{spec['metric']} {op} {mapping()['state_fields'][value['field']]['metric']}"
    else:
        expr = f"{spec['metric']} {op} {_number(value)}"
    return f"({expr}){_fresh('sysinfo', c.get('max_report_age_s'))}"


def _threshold(tier: dict, stream: str) -> str:
    if "after_s" in tier:
        return str(tier["after_s"])
    return f"{_number(tier['cadence_multiple'])} * {_selector('smart_report_expected_interval_seconds', stream=stream)}"


def staleness_tier(c: dict, index: int) -> str:
    age = _selector("smart_report_age_seconds", stream=c["stream"])
    tiers = c["tiers"]
    expr = f"({age} > {_threshold(tiers[index], c['stream'])})"
    if index + 1 < len(tiers):
        expr += f" <= {_threshold(tiers[index + 1], c['stream'])}"
    return expr


def staleness(c: dict) -> str:
    """The first tier (inside all_of); multi-tier rules are split into variants instead."""
    return f"({_selector('smart_report_age_seconds', stream=c['stream'])} > {_threshold(c['tiers'][0], c['stream'])})"


def counter_left(c: dict) -> str:
    return f"{_selector('smart_online_units_left', counter=c['counter'])} >= {c['min']} < {c['max']}"


def calendar(c: dict) -> str:
    day = f"day_of_month() >= {c['day']}"
    if c["day"] > 28:  # shorter months: the last day
        day = f"{day} or day_of_month() == days_in_month()"
    return f"({mapping()['calendar_metrics'][c['metric']]}) < {_number(c['below'])} and on() ({day})"


def licence_horizon(c: dict) -> str:
    left = "(smart_licence_expiry_timestamp_seconds - time())"
    return f"{left} > {c['after_days'] * DAY} <= {c['within_days'] * DAY}"


def licence_undated(c: dict) -> str:
    return "smart_licence_dated == 0"


def db_error(c: dict) -> str:
    codes = c["codes"]
    if codes == "none":
        code = ""
    elif codes == "any":
        code = ("!~", "|" + alternatives(c["exclude_codes"]) if c["exclude_codes"] else "")
    else:
        code = ("=~", alternatives(codes))
    present = f"{_selector('smart_db_error_present', code=code)} == 1"
    if c.get("min_share_of_volumes"):
        volumes = f"count by (dealer, installation) (count by (dealer, installation, volume) ({present}))"
        present = f"{volumes} / on(dealer, installation) smart_installation_volumes >= {_number(c['min_share_of_volumes'])}"
    return f"({present}){_fresh('sysinfo', c['max_report_age_s'])}"


def operup_age(c: dict) -> str:
    return f"smart_operup_age_seconds > {c['older_than_s']}"


def search_log(c: dict) -> str:
    window = duration(c.get("window_s") or mapping()["default_search_window_s"])
    found = f"sum by ({_id()}) (increase({_selector('smart_searches_total', result=c['result'])}[{window}]))"
    expr = f"{found} >= {c['min_count']}"
    if c.get("min_share"):
        share = f"{found} / sum by ({_id()}) (increase(smart_searches_total[{window}]))"
        expr = f"({expr}) and on({_id()}) ({share} >= {_number(c['min_share'])})"
    return expr


def event(c: dict) -> str:
    if c.get("scope") == "last_report":
        return f"{_selector('smart_last_report_events', event=c['event'])} > 0"
    labels = {"event": c["event"]}
    if c.get("codes"):
        labels["code"] = ("=~", alternatives(c["codes"]))
    window = duration(c.get("window_s") or mapping()["default_event_window_s"])
    return f"sum by ({_id()}) (increase({_selector('smart_events_total', **labels)}[{window}])) > 0"


def count_rollup(c: dict, scope: str, base_object: str) -> str:
    group = list(c["group_by"])
    firing = _selector("ALERTS", alertname=c["of"], alertstate="firing")
    hosts = f"count by ({', '.join(['dealer', *group, 'installation', 'online_access'])}) ({firing})"
    outer = (["dealer"] if scope == "tenant" else []) + group
    hosts = f"count by ({', '.join(outer)}) ({hosts})" if outer else f"count({hosts})"
    t = c["threshold"]
    if "share" not in t:
        return f"{hosts} >= {t['hosts']}"
    universe = mapping()["universe"][base_object]
    size = f"count by (dealer) ({universe})" if scope == "tenant" else f"count({universe})"
    limit = f"clamp_min(clamp_max(ceil({_number(t['share'])} * {size}), {t['hosts']}), {t['floor']})"
    if scope == "tenant":
        return f"{hosts} >= on(dealer) group_left() {limit}"
    return f"{hosts} >= scalar({limit})"


def usage_in_window(c: dict) -> str:
    window = duration(c["window_s"])
    sums = [f"sum by ({_id()}) (increase({mapping()['usage_signals'][s]}[{window}]))" for s in c["signals"]]
    if c["expect"] == "any":
        return " or ".join(f"({s} > 0)" for s in sums)
    return f" and on({_id()}) ".join(f"({s} == 0)" for s in sums)


def registry_flag(c: dict) -> str:
    return f"{_selector('smart_flag', flag=c['flag'])} == {1 if c['value'] else 0}"


def disk_free(c: dict) -> str:
    return f"smart_disk_free_bytes < {c['below_bytes']}"


def login_spread(c: dict) -> str:
    ips = _selector("smart_login_distinct_ips", window=duration(c["window_s"]))
    expr = f"(max by ({_id()}, login) ({ips}) >= {c['min_distinct_ips']})"
    if c["simultaneous_sessions"]:
        expr += f" or (max by ({_id()}, login) (smart_login_open_sessions) >= 2)"
    return expr


def clock_skew(c: dict) -> str:
    skew = _selector("smart_clock_skew_seconds", stream=("=~", alternatives(c["streams"])))
    return f"abs({skew}) > {c['max_abs_s']}"


def repeated_exhaustion(c: dict) -> str:
    counter = c["counter"]
    expr = f"({_selector('smart_online_early_exhaustion_months', counter=counter)} >= {c['min_months']})"
    if c["forecast"]:
        left = _selector("smart_online_units_left", counter=counter)
        expr += f" or (predict_linear({left}[3d], {DAY} * scalar(days_in_month() - day_of_month())) <= 0)"
    return expr


def any_of(c: dict) -> str:
    return " or ".join(f"({compile_condition(sub)})" for sub in c["conditions"])


def all_of(c: dict) -> str:
    return f" and on({_id()}) ".join(f"({compile_condition(sub)})" for sub in c["conditions"])


KINDS = {
    "check_failing": check_failing, "check_state": check_state, "status_value": status_value,
    "state_compare": state_compare, "staleness": staleness, "counter_left": counter_left, "calendar": calendar,
    "licence_horizon": licence_horizon, "licence_undated": licence_undated, "db_error": db_error,
    "operup_age": operup_age, "search_log": search_log, "event": event, "usage_in_window": usage_in_window,
    "registry_flag": registry_flag, "disk_free": disk_free, "login_spread": login_spread, "clock_skew": clock_skew,
    "repeated_exhaustion": repeated_exhaustion, "any_of": any_of, "all_of": all_of,
}  # count_rollup needs the scope: see variants()

MUTES = {
    "seasonal": '(smart_flag{flag="seasonal"} == 1)',
    "closed_network": '(smart_flag{flag="closed_network"} == 1)',
    "maintenance_window": "(smart_maintenance_window_active == 1)",
}


def compile_condition(c: dict) -> str:
    return KINDS[c["kind"]](c)


def variants(rule, rules: dict) -> list[Variant]:
    """The Prometheus rules of one catalogue rule (`rules`: the whole catalogue, for a Count's base)."""
    c = rule.condition
    if c["kind"] == "count_rollup":
        base_object = rules[c["of"]].object[0]
        out = [Variant(rule.priority, count_rollup(c, scope, base_object), {"scope": scope}) for scope in c["scope"]]
    elif c["kind"] == "staleness" and len(c["tiers"]) > 1:
        out = [Variant(t["priority"], staleness_tier(c, i)) for i, t in enumerate(c["tiers"])]
    else:
        out = [Variant(rule.priority, compile_condition(c))]
    for esc in rule.escalation:
        when = compile_condition(esc["when"])
        out = [Variant(v.priority, f"({v.expr}) unless on({_id()}) ({when})", v.labels) for v in out]
        out.append(Variant(esc["priority"], f"({compile_condition(c)}) and on({_id()}) ({when})"))
    for mute in rule.muted_when:
        out = [Variant(v.priority, f"({v.expr}) unless on({_id()}) {MUTES[mute]}", v.labels) for v in out]
    return out


METRIC_NAME = re.compile(r"\b(smart_[a-z0-9_]+|ALERTS)\b")


def metric_names(expr: str) -> set[str]:
    """The series names an expression reads."""
    return set(METRIC_NAME.findall(re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)))
