"""Alerts from a closed network's backlog, uploaded as a batch, are historical (a digest), not live messages."""
from datetime import timedelta

from smart.alerts.models import Alert
from smart.ingest import batch
from smart.pipeline.worker import drain
from smart.registry.models import Client, Installation
from tests.alerts_facts.build import now, report


def test_a_batch_backlog_raises_historical_alerts(dealer, tmp_path):
    client = Client.objects.create(dealer=dealer, slug="ROGA", display_name="Рога", closed_network=True)
    roga = Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="ROGA")
    for days in (6, 5, 4):  # a week-old backlog with the protection key lost, carried out by hand
        (tmp_path / f"ROGA-{days}.zip").write_bytes(report(now() - timedelta(days=days), key="not_found"))
    result = batch.upload(dealer, "ROGA", list(batch.sources([tmp_path])))
    assert [f.code for f in result.files] == ["ok", "ok", "ok"]
    drain()
    alert = Alert.objects.get(rule="KodeksXmlSensLockStatus", object_key=f"i{roga.id}")
    assert alert.state == "firing" and alert.historical is True
