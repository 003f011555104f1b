"""The alert catalogue (catalogue.json, schema catalogue.schema.json): every alert SMART can raise, with its
public name, aliases, structured condition, timing, resolve rule, severity, routing defaults and runbook.

Alert names are a public interface (dealers filter mail on them), so they are kept verbatim, typos
included; aliases resolve the legacy and runbook-file spellings. The catalogue is read-only data:
`load()` parses it once per process.
"""
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOGUE_PATH = HERE / "catalogue.json"
SCHEMA_PATH = HERE / "catalogue.schema.json"
RUNBOOK_DIR = HERE / "runbooks"
LANGUAGES = ("ru", "en")
PRIORITIES = ("P1", "P2", "P3", "P4")
# The only legacy values D §1.2 publishes (the "Current emergencies" screenshot); the rest are derived.
DOCUMENTED_LEGACY = {
    "KodeksDBOperUpToOldCount": ("K1", "critical"),
    "OnlineBillingDocsLeft50": ("K4", "critical"),
    "KodeksLicenseExpiring7day": ("K5", "critical"),
    "KodeksLicenseExpiring90day": ("K5", "info"),
    "KodeksDBOperUpToOld": ("K5", "info"),
}


def _tuple(value) -> tuple:
    return tuple(value) if isinstance(value, list) else (value,)


@dataclass(frozen=True)
class Rule:
    """One catalogue entry. `condition`, `resolve` and `escalation` are the JSON structures (read-only)."""

    name: str
    title: dict
    aliases: tuple
    source: tuple
    object: tuple
    condition: dict
    condition_text: str
    evaluation: tuple
    for_s: int
    resolve: dict
    priority: str
    legacy_priority: str
    importance: str
    category: str
    inhibited_by: tuple
    muted_when: tuple
    count_variant: str | None
    channels_default: tuple
    audience: tuple
    escalation: tuple
    runbook: str
    notes: str

    @classmethod
    def from_json(cls, entry: dict) -> "Rule":
        fields = dict(entry)
        for key in ("aliases", "source", "object", "evaluation", "inhibited_by", "muted_when", "channels_default",
                    "audience", "escalation"):
            fields[key] = _tuple(fields[key])
        return cls(**fields)

    @property
    def of(self) -> str | None:
        """The base alert of a Count roll-up, None for other alerts."""
        return self.condition.get("of") if self.condition["kind"] == "count_rollup" else None

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["en"]

    def condition_kinds(self) -> set[str]:
        """Every condition kind the rule uses, escalations included."""
        kinds: set[str] = set()
        for condition in (self.condition, *(e["when"] for e in self.escalation)):
            _walk(condition, kinds)
        return kinds


def _walk(condition: dict, kinds: set[str]) -> None:
    kinds.add(condition["kind"])
    for sub in condition.get("conditions", ()):
        _walk(sub, kinds)


def conditions(condition: dict):
    """The condition and its nested sub-conditions, depth first."""
    yield condition
    for sub in condition.get("conditions", ()):
        yield from conditions(sub)


@lru_cache(maxsize=1)
def raw() -> dict:
    """catalogue.json as parsed JSON (read-only)."""
    return json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load() -> dict[str, Rule]:
    """Every alert by its canonical name, in catalogue order."""
    return {entry["name"]: Rule.from_json(entry) for entry in raw()["alerts"]}


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, str], dict[str, str]]:
    """(exact names and aliases, their lower-case forms) → canonical name."""
    exact, folded = {}, {}
    for rule in load().values():
        for key in (rule.name, *rule.aliases):
            exact.setdefault(key, rule.name)
            folded.setdefault(key.lower(), rule.name)
    return exact, folded


def by_alias(name: str) -> Rule | None:
    """The rule a canonical, alias or legacy name refers to: exact spelling first, then case-insensitive
    (the appendix links `KodeksDBerrorsNOCodeCount`)."""
    exact, folded = _index()
    canonical = exact.get(name) or folded.get(name.lower())
    return load()[canonical] if canonical else None


def runbook_path(name: str, lang: str) -> Path:
    """Where the runbook of a canonical alert name is kept: runbooks/<Name>.<lang>.md."""
    return RUNBOOK_DIR / f"{name}.{lang}.md"


def runbook(name: str, lang: str) -> str:
    """The runbook (markdown) of an alert, by any of its names, in `ru` or `en`."""
    if lang not in LANGUAGES:
        raise ValueError(f"runbook language must be one of {LANGUAGES}, not {lang!r}")
    rule = by_alias(name)
    if rule is None:
        raise KeyError(name)
    return runbook_path(rule.runbook, lang).read_text(encoding="utf-8")


def status_series_names() -> set[str]:
    """Curated status series (metrics app) plus the ones the catalogue proposes."""
    from smart.metrics.status_series import definitions

    return set(definitions()["series"]) | set(raw().get("proposed_series", {}))


def validate() -> list[str]:
    """Every problem of the catalogue (schema, references, severities, routing, runbooks, exports); [] when sound."""
    from . import validation

    return validation.run(raw(), load())
