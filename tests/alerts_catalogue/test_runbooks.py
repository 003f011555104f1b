import re
from collections import defaultdict

import pytest

from smart.alerts import catalogue

HEADINGS = {
    "en": ["## What it means", "## Likely causes", "## Check first", "## What to tell the client", "## When it resolves"],
    "ru": ["## Что это значит", "## Вероятные причины", "## Что проверить сначала", "## Что сказать клиенту", "## Когда закроется"],
}


def _units(text: str) -> list[str]:
    """Paragraphs (heading lines removed) and list items, whitespace-normalised."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.lstrip().startswith("#")]
        paragraph = " ".join(" ".join(lines).split())
        if paragraph:
            out.append(paragraph)
        for line in lines:
            item = re.match(r"\s*(?:[-*]|\d+[.)])\s+(.*)", line)
            if item:
                out.append(" ".join(item.group(1).split()))
    return out


@pytest.mark.parametrize("lang", catalogue.LANGUAGES)
def test_every_alert_has_a_substantial_runbook(lang):
    for rule in catalogue.load().values():
        text = catalogue.runbook(rule.name, lang)
        assert text.startswith(f"# {rule.name} — "), rule.name
        assert len(text) >= 600, f"{rule.name}.{lang}.md is too short"
        positions = [text.find(h) for h in HEADINGS[lang]]
        assert -1 not in positions and positions == sorted(positions), f"{rule.name}.{lang}.md sections"


def test_languages_really_differ():
    for rule in catalogue.load().values():
        ru, en = catalogue.runbook(rule.name, "ru"), catalogue.runbook(rule.name, "en")
        assert re.search("[а-яё]", ru, re.I) and not re.search("[а-яё]", en, re.I), rule.name


def test_no_paragraph_is_shared_between_different_alerts():
    owners = defaultdict(set)
    for rule in catalogue.load().values():
        for lang in catalogue.LANGUAGES:
            for unit in _units(catalogue.runbook(rule.name, lang)):
                owners[unit].add(rule.name)
    shared = {unit: names for unit, names in owners.items() if len(names) > 1}
    assert shared == {}


def test_count_runbooks_link_to_their_base():
    for rule in catalogue.load().values():
        if rule.of:
            for lang in catalogue.LANGUAGES:
                assert f"]({rule.of})" in catalogue.runbook(rule.name, lang), rule.name


def test_no_orphan_runbook_files():
    names = set(catalogue.load())
    files = {p.name.split(".")[0] for p in catalogue.RUNBOOK_DIR.glob("*.md")}
    assert files == names


def test_runbook_by_alias_and_unknown():
    assert catalogue.runbook("OnlineBillingSearch150", "en").startswith("# OnlineBillingSearchLeft150")
    with pytest.raises(KeyError):
        catalogue.runbook("NoSuchAlert", "ru")
    with pytest.raises(ValueError):
        catalogue.runbook("KodeksIcmp", "de")
