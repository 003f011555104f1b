"""A dealer with one object of each kind the exposition reads, and another dealer that must never show."""
from datetime import date, datetime, timedelta, timezone

import pytest

from smart.metrics.models import DbErrorEvent, InstallationState, LicenceState
from smart.probes.models import CheckState, OnlineCounters
from smart.registry.models import Client, Dealer, Installation, OnlineAccess


@pytest.fixture
def fleet(dealer):
    now = datetime.now(timezone.utc)
    client = Client.objects.create(dealer=dealer, slug="ZAVOD", display_name="Завод")
    zavod = Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="ZAVOD", provider="")
    cloud = Installation.objects.create(dealer=dealer, client=client, kind="pulled", name="10234.te-cloud.ru:443",
                                        address="10234.te-cloud.ru", port=443, provider="te-cloud")
    InstallationState.objects.create(installation=zavod, report_time=now - timedelta(minutes=30), version="7.4.1",
                                     seats_used=8, seats_total=10, key_state="ok",
                                     status_observed_at=now - timedelta(minutes=5),
                                     status_values={"up": 1, "seats_used": 8, "maintenance": 0})
    LicenceState.objects.create(installation=zavod, product="Кодекс: Законодательство", volume="KOD01",
                                expires_on=date(2027, 1, 31), report_time=now)
    DbErrorEvent.objects.create(installation=zavod, fingerprint="f1", volume="D:\\Kodeks\\KOD01", group="db",
                                code=2007, message="volume damaged", first_seen=now - timedelta(minutes=30),
                                last_seen=now - timedelta(minutes=30))
    CheckState.objects.create(target_key="i2|tcp", dealer=dealer, installation=cloud, check_type="tcp", ok=False,
                              consecutive_failures=4, state="refused")
    access = OnlineAccess.objects.create(dealer=dealer, client=client, firm="Завод", login="zavod", host="online.kodeks.ru",
                                         folder="docs1")
    OnlineCounters.objects.create(online_access=access, at=now - timedelta(hours=2), documents_left=100, documents_limit=500)
    OnlineCounters.objects.create(online_access=access, at=now - timedelta(hours=1), documents_left=90, documents_limit=500)
    other = Dealer.objects.create(code="0077", name="tehex")
    oc = Client.objects.create(dealer=other, slug="ALIEN", display_name="Чужой")
    Installation.objects.create(dealer=other, client=oc, kind="pushed", name="ALIEN-SECRET")
    return zavod, cloud, access
