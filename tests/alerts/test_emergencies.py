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
