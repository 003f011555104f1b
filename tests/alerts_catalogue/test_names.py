from smart.alerts import catalogue

from .spec_names import ALIASES, D_1_4, D_COUNTS, PROPOSED


def test_the_spec_lists_57_distinct_names():
    assert len(D_1_4) == len(set(D_1_4)) == 57
    assert set(D_COUNTS) <= set(D_1_4)


def test_every_alert_of_d_1_4_is_in_the_catalogue_verbatim():
    missing = [name for name in D_1_4 if name not in catalogue.load()]
    assert missing == []


def test_proposed_alerts_are_in_the_catalogue():
    assert [name for name in PROPOSED if name not in catalogue.load()] == []


def test_kodeks_search_is_empty_is_listed_once():
    names = [entry["name"] for entry in catalogue.raw()["alerts"]]
    assert names.count("KodeksSearchIsEmpty") == 1
    assert len(names) == len(set(names))


def test_typos_are_kept_as_public_names():
    for name in ("KodeksMaintenanceToLong", "SmartXMLfileIsToOld", "KodeksDBOperUpToOld", "KodeksUserAInvolvementIsLow"):
        assert catalogue.load()[name].name == name


def test_aliases_resolve_to_the_canonical_rule():
    for alias, canonical in ALIASES.items():
        rule = catalogue.by_alias(alias)
        assert rule is not None and rule.name == canonical, alias


def test_by_alias_is_exact_first_then_case_insensitive():
    assert catalogue.by_alias("KodeksIcmp").name == "KodeksIcmp"
    assert catalogue.by_alias("kodeksicmp").name == "KodeksIcmp"
    assert catalogue.by_alias("NoSuchAlert") is None


def test_count_entries_point_back_to_their_base():
    rules = catalogue.load()
    for name in D_COUNTS + ["KodeksBehindProxyDownCount", "SmartXMLfileIsToOldCount", "OnlineServerUnreachableCount"]:
        base = rules[name].of
        assert base and rules[base].count_variant == name
