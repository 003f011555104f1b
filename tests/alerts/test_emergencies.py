"""The Current emergencies table (C §3): rows, columns filled per alert type, order, filters, 30 days."""
from datetime import datetime, timedelta, timezone

import pytest

from smart.alerts.lifecycle import Observation, RuleSpec, apply
from smart.alerts.queries import EMERGENCY_COLUMNS, emergencies

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def fire(rule, key, at, **kw):
    spec = RuleSpec(rule, priority=kw.pop("priority", "P3"), legacy_priority=kw.pop("k", "K3"),
                    importance=kw.pop("importance", "info"))
    apply(spec, [Observation(key, at, **kw)], {"object_key": key}, at)
    return spec


def test_rows_columns_order_and_window(fleet, dealer):
    from smart.metrics.models import InstallationState

    installations, access = fleet
    inst = installations[0]
    InstallationState.objects.create(installation=inst, legal_name="ООО «Облако»", regnum="100200300")
    inst.client.managers.clear()
    fire("KodeksLicenseExpiring7day", f"i{inst.id}", NOW - timedelta(hours=2), k="K5", importance="critical",
         dealer_id=dealer.id, installation_id=inst.id, client_id=inst.client_id, detail="Licence will expire in 6 days")
    fire("OnlineBillingDocsLeft50", f"o{access.id}|documents", NOW - timedelta(hours=1), k="K4", importance="critical",
         dealer_id=dealer.id, online_access_id=access.id, client_id=access.client_id, detail="42 documents left")
    fire("KodeksDBOperUpToOld", f"i{inst.id}|file:D:\\Kodeks\\OperUp\\a.upd", NOW - timedelta(hours=3), k="K5",
         dealer_id=dealer.id, installation_id=inst.id, client_id=inst.client_id, detail="OperUp files older than 3 days",
         labels={"file": "D:\\Kodeks\\OperUp\\a.upd"})
    old = fire("KodeksTcpStatus", f"i{installations[1].id}", NOW - timedelta(days=40), k="K1",
               dealer_id=dealer.id, installation_id=installations[1].id)
    apply(old, [], {"object_key": f"i{installations[1].id}"}, NOW - timedelta(days=39))  # resolved 39 days ago

    rows = emergencies(NOW, dealer_ids=[dealer.id])
    assert [r["rule"] for r in rows] == ["OnlineBillingDocsLeft50", "KodeksLicenseExpiring7day", "KodeksDBOperUpToOld"]
    assert set(EMERGENCY_COLUMNS) <= set(rows[0])
    online, licence, operup = rows
    assert (online["catalog"], online["url"], online["user"]) == ("docs1", "online.kodeks.ru", "romashka")
    assert (licence["clientname"], licence["regnum"], licence["catalog"]) == ("ООО «Облако»", "100200300", "")
    assert operup["filename"] == "D:\\Kodeks\\OperUp\\a.upd"
    assert licence["client"] == "Облако" and licence["legacy_priority"] == "K5" and licence["importance"] == "critical"
    assert [r["rule"] for r in emergencies(NOW, dealer_ids=[dealer.id], priorities=["K4"])] == ["OnlineBillingDocsLeft50"]
    assert len(emergencies(NOW, dealer_ids=[dealer.id], days=45)) == 4  # the old resolved one is back in range
    assert emergencies(NOW, dealer_ids=[dealer.id + 1]) == []


def _expected(alert):
    """One row of the table computed from the model objects, the way C §3 describes each column."""
    inst, access = alert.installation, alert.online_access
    owner = inst or access
    manager = owner.manager if owner is not None else None
    state = getattr(inst, "state", None) if inst is not None else None
    return {
        "id": alert.id,
        "client": alert.client.display_name if alert.client_id else alert.labels.get("host", alert.object_key),
        "manager": (manager.full_name or manager.username) if manager else "",
        "priority": alert.priority, "legacy_priority": alert.legacy_priority, "importance": alert.importance,
        "rule": alert.rule, "text": alert.detail,
        "clientname": state.legal_name if state else "", "regnum": state.regnum if state else "",
        "catalog": access.folder if access else "", "url": access.host if access else "",
        "user": access.login if access else alert.labels.get("user", ""),
        "filename": alert.labels.get("file", ""), "state": alert.state, "since": alert.fired_at,
        "resolved_at": alert.resolved_at, "acknowledged": alert.acknowledged_at is not None,
        "installation_id": alert.installation_id, "client_id": alert.client_id, "snoozed_until": alert.snoozed_until,
    }


def test_every_kind_of_row_matches_its_objects(fleet, dealer):
    """Installations with and without a manager or a sysinfo state, an online access with a manager, a dealer
    roll-up without a client (host and user from the labels), acknowledged and snoozed ones: each row equals
    what the objects say, and a scope queryset narrows the rows."""
    from smart.alerts.models import Alert
    from smart.metrics.models import InstallationState
    from smart.registry.models import User

    installations, access = fleet
    boss = User.objects.create_user("boss", full_name="Иван Начальник")
    plain = User.objects.create_user("plain")  # no full name: the username stands in
    installations[0].manager = boss
    installations[0].save()
    access.manager = plain
    access.save()
    InstallationState.objects.create(installation=installations[1], legal_name="АО «Звезда»", regnum="42")
    fire("KodeksTcpStatus", f"i{installations[0].id}", NOW - timedelta(hours=5), k="K1", dealer_id=dealer.id,
         installation_id=installations[0].id, client_id=installations[0].client_id)
    fire("KodeksDBOperUpToOld", f"i{installations[1].id}|file:a.upd", NOW - timedelta(hours=4), dealer_id=dealer.id,
         installation_id=installations[1].id, client_id=installations[1].client_id, labels={"file": "a.upd"})
    fire("OnlineBillingDocsLeft50", f"o{access.id}|documents", NOW - timedelta(hours=3), k="K4",
         dealer_id=dealer.id, online_access_id=access.id, client_id=access.client_id)
    fire("PlatformDealerSilent", f"d{dealer.id}", NOW - timedelta(hours=2), dealer_id=dealer.id,
         labels={"host": "gw.example", "user": "svc"})
    old = fire("KodeksTcpStatus", f"i{installations[2].id}", NOW - timedelta(days=3), k="K1", dealer_id=dealer.id,
               installation_id=installations[2].id, client_id=installations[2].client_id)
    apply(old, [], {"object_key": f"i{installations[2].id}"}, NOW - timedelta(days=2))
    Alert.objects.filter(rule="KodeksDBOperUpToOld").update(acknowledged_at=NOW - timedelta(hours=1),
                                                            snoozed_until=NOW + timedelta(hours=1))

    rows = emergencies(NOW, dealer_ids=[dealer.id])
    alerts = Alert.objects.select_related("client", "installation__manager", "online_access__manager")
    assert rows == [_expected(alerts.get(pk=r["id"])) for r in rows]
    assert [(r["rule"], r["state"]) for r in rows] == [
        ("KodeksTcpStatus", "firing"), ("PlatformDealerSilent", "firing"), ("KodeksDBOperUpToOld", "firing"),
        ("OnlineBillingDocsLeft50", "firing"), ("KodeksTcpStatus", "resolved")]  # K1, K3 newest first, K4
    by_rule = {r["rule"]: r for r in rows if r["state"] == "firing"}
    assert by_rule["KodeksTcpStatus"]["manager"] == "Иван Начальник"
    assert by_rule["OnlineBillingDocsLeft50"]["manager"] == "plain"
    assert (by_rule["PlatformDealerSilent"]["client"], by_rule["PlatformDealerSilent"]["user"]) == ("gw.example", "svc")
    operup = by_rule["KodeksDBOperUpToOld"]
    assert operup["clientname"] == "АО «Звезда»" and operup["acknowledged"] and operup["snoozed_until"]
    scoped = emergencies(NOW, alerts=Alert.objects.filter(installation__in=installations[:2]))
    assert sorted(r["id"] for r in scoped) == sorted(r["id"] for r in rows if r["installation_id"] in
                                                     {installations[0].id, installations[1].id})
