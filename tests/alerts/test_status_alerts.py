"""`smart status --json` carries the installation's active alerts and its check states."""
import json
from datetime import datetime, timedelta, timezone
from io import StringIO

import pytest
from django.core.management import call_command

from smart.probes.results import Result
from smart.probes.store import Recorder

UTC = timezone.utc
pytestmark = pytest.mark.django_db


def status(dealer, name):
    out = StringIO()
    call_command("status", "--dealer", dealer.code, "--name", name, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_alerts_key_lists_firing_alerts_with_priorities(fleet, dealer):
    inst = fleet[0][0]
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    recorder = Recorder()
    for minute in range(6):
        recorder.record([Result(check="tcp", ok=False, at=t0 + timedelta(minutes=minute), state="refused",
                                detail="connection refused", dealer_id=dealer.id, installation_id=inst.id)])
    found = status(dealer, inst.name)
    assert [a["name"] for a in found["alerts"]] == ["KodeksTcpStatus"]
    alert = found["alerts"][0]
    assert (alert["priority"], alert["legacy_priority"], alert["importance"]) == ("P1", "K1", "critical")
    assert alert["since"] == (t0 + timedelta(minutes=3)).isoformat()
    assert found["checks"]["tcp"]["ok"] is False and found["checks"]["tcp"]["state"] == "refused"
    recorder.record([Result(check="tcp", ok=True, at=t0 + timedelta(minutes=7), state="ok", dealer_id=dealer.id,
                            installation_id=inst.id)])
    assert status(dealer, inst.name)["alerts"] == []
