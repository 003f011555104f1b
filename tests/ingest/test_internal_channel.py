"""Reports that arrive without an upload request (manual, batch, pull) go through the same checks."""
import pytest

from smart.ingest import service
from smart.ingest.errors import IngestError
from smart.ingest.models import Report, UploadAttempt
from smart.registry.models import Client, Installation

from .samples import sysinfo_zip


@pytest.fixture
def roga(dealer):
    client = Client.objects.create(dealer=dealer, slug="ROGA", display_name="Рога")
    return Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="ROGA")


def test_manual_upload_is_archived_queued_and_audited(dealer, roga, settings):
    settings.SMART_UPLOADS_PER_NAME_PER_HOUR = 1
    for marker in "abc":  # no per-name rate limit for a person's batch
        outcome = service.accept_internal(dealer, "ROGA.zip", sysinfo_zip(marker), source="batch")
        assert outcome.code == "ok"
    assert Report.objects.filter(channel="manual", installation=roga).count() == 3
    assert list(UploadAttempt.objects.values_list("endpoint", "code").distinct()) == [("manual", "ok")]


def test_manual_upload_with_bad_name_is_refused_and_audited(dealer):
    with pytest.raises(IngestError) as refused:
        service.accept_internal(dealer, "../ROGA.zip", sysinfo_zip())
    assert refused.value.code == "bad_file_name"
    assert UploadAttempt.objects.get().code == "bad_file_name"
