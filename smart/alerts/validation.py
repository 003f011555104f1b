"""Consistency checks of the alert catalogue, beyond what its JSON Schema can say: references between
alerts, Count pairing, severities and routing per D §1.2–§1.3, names of checks, status series and state
fields the conditions read, runbooks, and the PromQL export. `catalogue.validate()` runs them all."""
import json

from . import catalogue, promql

RANK = {p: i for i, p in enumerate(catalogue.PRIORITIES)}  # P1 = 0 (highest)
DERIVED_LEGACY = {"P1": ("K1", "critical"), "P2": ("K2", "critical"), "P3": ("K3", "info"), "P4": ("K4", "info")}


def run(data: dict, rules: dict) -> list[str]:
    problems = schema_problems(data)
    if problems:
        return problems  # the other checks assume a well-formed catalogue
    for step in (names, references, counts, severities, routing, condition_targets, runbooks, exports):
        problems += step(data, rules)
    return problems


def schema_problems(data: dict) -> list[str]:
    try:
        import jsonschema
    except ImportError:  # a test dependency; production loads the catalogue the tests validated
        return []
    schema = json.loads(catalogue.SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    problems = [f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(data)]
    declared = set(schema["$defs"]["conditionKinds"]["enum"])
    defined = {d[2:] for d in schema["$defs"] if d.startswith("c_")}
    if declared != defined:
        problems.append(f"schema: condition kinds {sorted(declared ^ defined)} are not both declared and defined")
    return problems


def names(data: dict, rules: dict) -> list[str]:
    problems, seen = [], {}
    if len(rules) != len(data["alerts"]):
        problems.append("duplicate alert names")
    for rule in rules.values():
        for key in (rule.name, *rule.aliases):
            owner = seen.setdefault(key.lower(), rule.name)
            if owner != rule.name:
                problems.append(f"{rule.name}: name or alias {key!r} clashes with {owner}")
        if rule.runbook != rule.name:
            problems.append(f"{rule.name}: runbook slug must be the alert name")
    return problems


def _cycle(rules: dict) -> list[str]:
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> list[str]:
        if state.get(name) == 1:
            return path[path.index(name):] + [name]
        if state.get(name) == 2:
            return []
        state[name] = 1
        for parent in rules[name].inhibited_by:
            found = visit(parent, path + [name])
            if found:
                return found
        state[name] = 2
        return []

    for name in rules:
        found = visit(name, [])
        if found:
            return found
    return []


def references(data: dict, rules: dict) -> list[str]:
    problems = []
    for rule in rules.values():
        for other in rule.inhibited_by:
            if other not in rules or other == rule.name:
                problems.append(f"{rule.name}: inhibited_by {other!r} is not another alert")
        if rule.count_variant and rule.count_variant not in rules:
            problems.append(f"{rule.name}: count_variant {rule.count_variant!r} does not exist")
    if not problems and (cycle := _cycle(rules)):
        problems.append("inhibition cycle: " + " → ".join(cycle))
    return problems


def counts(data: dict, rules: dict) -> list[str]:
    problems = []
    for rule in rules.values():
        base = rules.get(rule.of) if rule.of else None
        if rule.of and base is None:
            problems.append(f"{rule.name}: roll-up of unknown alert {rule.of!r}")
            continue
        if rule.of:
            if base.count_variant != rule.name:
                problems.append(f"{rule.name}: its base {base.name} names {base.count_variant!r} as count_variant")
            if not rule.name.endswith("Count") or rule.category != base.category:
                problems.append(f"{rule.name}: a Count is named <base>Count and shares the base's category")
            expected = max(RANK[base.priority] - 1, 0)
            if RANK[rule.priority] > expected:
                problems.append(f"{rule.name}: a Count is at least one level above {base.name} (D §1.3)")
            if rule.escalation or rule.count_variant:
                problems.append(f"{rule.name}: a Count has no escalation nor Count of its own")
        elif rule.count_variant and rules.get(rule.count_variant) and rules[rule.count_variant].of != rule.name:
            problems.append(f"{rule.name}: {rule.count_variant} does not roll up this alert")
        elif rule.name.endswith("Count"):
            problems.append(f"{rule.name}: named like a Count but not a count_rollup")
    return problems


def severities(data: dict, rules: dict) -> list[str]:
    problems = []
    for rule in rules.values():
        documented = catalogue.DOCUMENTED_LEGACY.get(rule.name)
        expected = documented or DERIVED_LEGACY[rule.priority]
        if (rule.legacy_priority, rule.importance) != expected:
            problems.append(f"{rule.name}: legacy {rule.legacy_priority}/{rule.importance}, expected {expected}")
        if not documented and "derived" not in rule.notes:
            problems.append(f"{rule.name}: notes must say the legacy values are derived")
        for esc in rule.escalation:
            if RANK[esc["priority"]] >= RANK[rule.priority]:
                problems.append(f"{rule.name}: escalation to {esc['priority']} is not above {rule.priority}")
        tiers = [c for c in catalogue.conditions(rule.condition) if c["kind"] == "staleness"]
        for c in tiers:
            ranks = [RANK[t["priority"]] for t in c["tiers"]]
            if ranks != sorted(ranks, reverse=True):
                problems.append(f"{rule.name}: staleness tiers must rise in priority")
    return problems


def routing(data: dict, rules: dict) -> list[str]:
    """D §1.2: e-mail always; Telegram only for P1/P2 and online billing (ops-only alerts may stay on e-mail)."""
    problems = []
    for rule in rules.values():
        wants = rule.priority in ("P1", "P2") or rule.category == "online_billing"
        has = "telegram" in rule.channels_default
        if has and not wants or wants and not has and rule.audience != ("ops",):
            problems.append(f"{rule.name}: channels {rule.channels_default} do not follow D §1.2")
    return problems


def condition_targets(data: dict, rules: dict) -> list[str]:
    """Checks, status series and state fields named by conditions exist where the evaluator reads them."""
    from smart.metrics.models import InstallationState
    from smart.probes.models import Check

    schema = json.loads(catalogue.SCHEMA_PATH.read_text(encoding="utf-8"))
    problems = []
    if set(schema["$defs"]["check"]["enum"]) != set(Check.values):
        problems.append("schema: the check enum differs from smart.probes.models.Check")
    series = catalogue.status_series_names()
    fields = {f.name for f in InstallationState._meta.get_fields()}
    exported = promql.mapping()["state_fields"]
    for rule in rules.values():
        for top in (rule.condition, *(e["when"] for e in rule.escalation)):
            for c in catalogue.conditions(top):
                named = [c.get("series"), (c.get("value") or {}).get("series") if isinstance(c.get("value"), dict) else None]
                problems += [f"{rule.name}: unknown status series {s!r}" for s in named if s and s not in series]
                if c["kind"] == "state_compare":
                    other = c["value"].get("field") if isinstance(c["value"], dict) else None
                    for name in filter(None, (c["field"], other)):
                        if name not in fields or name not in exported:
                            problems.append(f"{rule.name}: state field {name!r} unknown or not exported")
    return problems


def runbooks(data: dict, rules: dict) -> list[str]:
    problems = []
    for rule in rules.values():
        for lang in catalogue.LANGUAGES:
            path = catalogue.runbook_path(rule.runbook, lang)
            if not path.is_file():
                problems.append(f"{rule.name}: runbook {path.name} missing")
            elif not path.read_text(encoding="utf-8").startswith(f"# {rule.name}"):
                problems.append(f"{rule.name}: runbook {path.name} must start with '# {rule.name}'")
    return problems


def exports(data: dict, rules: dict) -> list[str]:
    problems = []
    declared = set(promql.mapping()["metrics"]) | {"ALERTS"}
    for rule in rules.values():
        try:
            found = promql.variants(rule, rules)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{rule.name}: cannot compile to PromQL ({exc!r})")
            continue
        for variant in found:
            unknown = promql.metric_names(variant.expr) - declared
            if unknown:
                problems.append(f"{rule.name}: PromQL reads undeclared series {sorted(unknown)}")
    return problems
