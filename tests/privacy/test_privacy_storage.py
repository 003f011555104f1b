"""Privacy switches applied when reports are stored (D §3.5 X15): the same report stored for a client with
and one without the switches; facts compared row by row."""
from datetime import datetime, timedelta, timezone

import pytest

from smart.ingest import service
from smart.metrics.models import KnownUser, SearchEvent, SessionEvent, UserMonthCounters
from smart.metrics.privacy import FILLED, pseudonym
from smart.pipeline.worker import drain
from smart.registry.models import Client, Installation
from smart.simulator.fleet import Fleet

NOW = datetime(2026, 2, 10, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def pair(dealer):
    fleet = Fleet(seed=5, installations=1, start=(NOW - timedelta(days=60)).date(), now=NOW)
    data = fleet.sysinfo_zip(0, NOW - timedelta(hours=1))
    plain = Client.objects.create(dealer=dealer, slug="PLAIN", display_name="Plain")
    private = Client.objects.create(dealer=dealer, slug="PRIVATE", display_name="Private",
                                    privacy_pseudonymise_logins=True, privacy_drop_ips=True,
                                    privacy_search_text_days=0)
    a = Installation.objects.create(dealer=dealer, client=plain, kind="pushed", name="PLAIN")
    b = Installation.objects.create(dealer=dealer, client=private, kind="pushed", name="PRIVATE")
    for inst in (a, b):
        assert service.accept_internal(dealer, f"{inst.name}.zip", data).code == "ok"
    drain()
    return a, b


def test_logins_ips_and_texts_are_not_stored_but_counts_are(pair, dealer):
    plain, private = pair
    logins = set(KnownUser.objects.filter(installation=plain).values_list("login", flat=True))
    assert logins and len(logins) == KnownUser.objects.filter(installation=private).count()
    stored = set(KnownUser.objects.filter(installation=private).values_list("login", flat=True))
    assert stored == {pseudonym(dealer.code, login) for login in logins}
    assert not stored & logins
    # card completeness survives: filled fields become a marker, empty ones stay empty
    for field in ("full_name", "phone", "email"):
        filled = KnownUser.objects.filter(installation=plain).exclude(**{field: ""}).count()
        assert KnownUser.objects.filter(installation=private, **{field: FILLED}).count() == filled
    assert not KnownUser.objects.filter(installation=private, full_name__in=KnownUser.objects.filter(
        installation=plain).exclude(full_name="").values("full_name")).exists()

    assert SessionEvent.objects.filter(installation=plain).exclude(ip="").exists()
    assert SessionEvent.objects.filter(installation=private).count() == SessionEvent.objects.filter(installation=plain).count()
    assert not SessionEvent.objects.filter(installation=private).exclude(ip="").exists()

    n = SearchEvent.objects.filter(installation=plain).count()
    assert n and SearchEvent.objects.filter(installation=private).count() == n
    assert SearchEvent.objects.filter(installation=plain).exclude(text="").count() > 0
    assert not SearchEvent.objects.filter(installation=private).exclude(text="").exists()
    assert (SearchEvent.objects.filter(installation=private, results=0).count()
            == SearchEvent.objects.filter(installation=plain, results=0).count())

    def totals(inst):
        return sorted(UserMonthCounters.objects.filter(installation=inst).values_list("db_requests", flat=True))
    assert totals(plain) == totals(private)


def test_search_texts_kept_n_days(dealer):
    from smart.metrics.privacy import blank_old_search_texts

    client = Client.objects.create(dealer=dealer, slug="SEVEN", display_name="Seven")
    dealer.privacy_search_text_days = 7
    dealer.save()
    inst = Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="SEVEN")
    for days, fp in ((2, "a"), (9, "b")):
        SearchEvent.objects.create(installation=inst, fingerprint=fp, at=NOW - timedelta(days=days), login="x",
                                   text=f"запрос {fp}", results=3)
    assert blank_old_search_texts(NOW) == 1
    assert dict(SearchEvent.objects.values_list("fingerprint", "text")) == {"a": "запрос a", "b": ""}
    client.privacy_search_text_days = 30  # the client's own setting wins
    client.save()
    SearchEvent.objects.filter(fingerprint="b").update(text="запрос b")
    assert blank_old_search_texts(NOW) == 0


def test_pseudonym_is_stable_and_per_dealer():
    assert pseudonym("0042", "Ivanov") == pseudonym("0042", " ivanov ")
    assert pseudonym("0042", "ivanov") != pseudonym("0077", "ivanov")
    assert pseudonym("0042", "ivanov").startswith("u-") and len(pseudonym("0042", "ivanov")) == 12
