import json
from io import StringIO

import pytest
from django.core.management import call_command

from smart.ingest import service
from smart.ingest.archive import IncomingFile
from smart.pipeline.worker import drain
from smart.registry.models import Client, Installation

from .reports import ZONE


@pytest.fixture
def roga(dealer, dealer_token):
    client = Client.objects.create(dealer=dealer, slug="ROGA", display_name="Рога")
    return Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="ROGA", time_zone=ZONE)


@pytest.fixture
def deliver(roga, dealer, settings):
    """Upload a file as the legacy script would, then run the pipeline; returns the report."""
    settings.SMART_UPLOADS_PER_NAME_PER_HOUR = 0

    def _deliver(content: bytes, file_name: str = "ROGA.zip", process: bool = True):
        caller = service.Caller(endpoint="upload", token_value="legacy-token-0042",
                                dealer_header=dealer.header_value, upload_header="yes")
        service.authenticate(caller)
        incoming = IncomingFile()
        incoming.write(content)
        outcome = service.accept(caller, incoming, file_name)
        if process:
            drain()
        outcome.report.refresh_from_db()
        return outcome.report

    return _deliver


@pytest.fixture
def status_json():
    def _status(name="ROGA"):
        out = StringIO()
        call_command("status", "--dealer", "0042", "--name", name, "--json", stdout=out)
        return json.loads(out.getvalue())

    return _status
