import copy

from smart.alerts import catalogue, validation


def test_validate_finds_no_problem():
    assert catalogue.validate() == []


def test_documented_legacy_values_are_kept():
    rules = catalogue.load()
    assert (rules["KodeksDBOperUpToOldCount"].legacy_priority, rules["KodeksDBOperUpToOldCount"].importance) == ("K1", "critical")
    assert (rules["OnlineBillingDocsLeft50"].legacy_priority, rules["OnlineBillingDocsLeft50"].importance) == ("K4", "critical")
    assert (rules["KodeksLicenseExpiring7day"].legacy_priority, rules["KodeksLicenseExpiring7day"].importance) == ("K5", "critical")
    assert (rules["KodeksLicenseExpiring90day"].legacy_priority, rules["KodeksLicenseExpiring90day"].importance) == ("K5", "info")
    assert (rules["KodeksDBOperUpToOld"].legacy_priority, rules["KodeksDBOperUpToOld"].importance) == ("K5", "info")


def test_p_levels_of_d_1_4():
    rules = catalogue.load()
    expected = {
        "KodeksDBOperUpToOld": "P3", "KodeksDBOperUpToOldCount": "P1", "KodeksLicenseExpiring7day": "P2",
        "KodeksLicenseExpiring90day": "P4", "KodeksMaintenance": "P4", "KodeksMaintenanceCount": "P2",
        "KodeksMaintenanceToLong": "P1", "OnlineBillingDocsLeftZero": "P1", "KodeksAuthNotWork": "P1",
        "SmartXMLfileIsToOld": "P2", "VersionChangedThenSilent": "P1", "ClockSkew": "P3", "IdentityMismatch": "P2",
    }
    assert {name: rules[name].priority for name in expected} == expected


def test_derived_legacy_values_say_so():
    for rule in catalogue.load().values():
        if rule.name not in catalogue.DOCUMENTED_LEGACY:
            assert rule.legacy_priority == "K" + rule.priority[1]
            assert "derived" in rule.notes


def test_maintenance_count_threshold_is_the_documented_one():
    c = catalogue.load()["KodeksMaintenanceCount"].condition
    # > 30 installations [doc]; counted per dealer as well, so a dealer's own mass maintenance is one message
    assert c["threshold"] == {"hosts": 31} and c["scope"] == ["tenant", "platform"]


def test_inhibition_of_d_1_5():
    rules = catalogue.load()
    for name in ("KodeksHttp200Status", "KodeksAuthNotWork", "KodeksOnlineSensLockCheck", "KodeksWarning"):
        assert "KodeksMaintenance" in rules[name].inhibited_by
    for name in ("KodeksOnlineSensLockCheck", "KodeksWarning", "KodeksLimitsUsers"):
        assert "KodeksAuthNotWork" in rules[name].inhibited_by
    assert "SmartXMLfileIsToOld" in rules["KodeksDBOperUpToOld"].inhibited_by
    for name in ("OnlineUserActivityIsLow10", "KodeksUserActivityIsLow", "KodeksUserAInvolvementIsLow"):
        assert "seasonal" in rules[name].muted_when


def test_telegram_for_high_priority_and_online_billing_only():
    for rule in catalogue.load().values():
        assert "email" in rule.channels_default
        if "telegram" in rule.channels_default:
            assert rule.priority in ("P1", "P2") or rule.category == "online_billing", rule.name
    assert "telegram" in catalogue.load()["OnlineBillingDocsLeft150"].channels_default


def _problems(mutate) -> list[str]:
    data = copy.deepcopy(catalogue.raw())
    mutate({e["name"]: e for e in data["alerts"]})
    rules = {e["name"]: catalogue.Rule.from_json(e) for e in data["alerts"]}
    return validation.run(data, rules)


def test_validate_catches_a_dangling_inhibition():
    def mutate(entries):
        entries["KodeksWarning"]["inhibited_by"].append("KodeksNoSuchThing")
    assert any("KodeksNoSuchThing" in p for p in _problems(mutate))


def test_validate_catches_an_inhibition_cycle():
    def mutate(entries):
        entries["KodeksMaintenance"]["inhibited_by"].append("KodeksHttp200Status")
    assert any("cycle" in p for p in _problems(mutate))


def test_validate_catches_a_count_not_pointing_back():
    def mutate(entries):
        entries["KodeksIcmp"]["count_variant"] = "KodeksTcpStatusCount"
    assert any("KodeksIcmp" in p for p in _problems(mutate))


def test_validate_catches_a_count_below_its_base():
    def mutate(entries):
        entries["KodeksIcmpCount"]["priority"] = "P3"
        entries["KodeksIcmpCount"]["legacy_priority"] = "K3"
        entries["KodeksIcmpCount"]["importance"] = "info"
        entries["KodeksIcmpCount"]["channels_default"] = ["email"]
    assert any("one level above" in p for p in _problems(mutate))


def test_validate_catches_unknown_status_series_and_state_fields():
    def mutate(entries):
        entries["KodeksSppStatus"]["condition"]["series"] = "no_such_series"
        entries["KodeksXmlSensLockStatus"]["condition"]["field"] = "no_such_field"
    found = _problems(mutate)
    assert any("no_such_series" in p for p in found) and any("no_such_field" in p for p in found)


def test_validate_catches_wrong_routing():
    def mutate(entries):
        entries["KodeksNewUser"]["channels_default"] = ["email", "telegram"]
    assert any("KodeksNewUser" in p and "channels" in p for p in _problems(mutate))
