"""search_log and login_spread: what users did, from sysinfo (and the online search history); both
resolve by quiet (the periodic evaluator's pass after quiet_s)."""
from datetime import timedelta

import pytest

from smart.alerts.engine import evaluate
from smart.formats.model import SearchEntry, Session
from smart.probes.models import OnlineSearch
from smart.registry.models import OnlineAccess
from tests.pipeline.reports import search

from .build import now, report

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
S = timedelta(seconds=1)


def _error(at, text="ст. 81 ТК", login="ivanov"):
    return SearchEntry(at=at, login=login, text=text, search_type="attribute", catalogue="/docs", source="ksrv",
                       results=None, duration_s=1.5, error=True)


def _keys(alerts, rule, state="firing"):
    return {a.object_key for a in alerts.objects.filter(rule=rule, state=state)}


def test_each_empty_query_is_an_instance_and_repeats_collapse(deliver, roga):
    from smart.alerts.models import Alert

    t0 = now() - 5 * H
    deliver(report(t0, searches=(search(t0 - 10 * S, "договор поставки", results=0),
                                 search(t0 - 5 * S, "Договор  поставки", results=0),
                                 search(t0 - 4 * S, "ГОСТ 12.0.004", results=0, login="petrova"),
                                 search(t0 - 3 * S, "трудовой договор", results=7))))
    empty = Alert.objects.filter(rule="KodeksSearchIsEmpty", state="firing").order_by("object_key")
    assert len(empty) == 2 and all(a.object_key.startswith(f"i{roga.id}|q:") for a in empty)
    repeated = next(a for a in empty if a.labels["user"] == "ivanov")
    assert repeated.labels["count"] == 2 and repeated.labels["query"] == "Договор  поставки"
    assert repeated.detail == (f"ROGA: ivanov searched «Договор  поставки» in /docs (intelligent) at "
                               f"{t0 - 5 * S:%d.%m.%Y %H:%M} UTC: nothing found (×2)")
    deliver(report(t0 + 2 * H, searches=(search(t0 + H, "договор поставки", results=0),)))
    assert _keys(Alert, "KodeksSearchIsEmpty") == {a.object_key for a in empty}  # the same pair, still one instance
    evaluate(t0 + 25 * H - 4 * S, names={"KodeksSearchIsEmpty"})
    assert _keys(Alert, "KodeksSearchIsEmpty") == {repeated.object_key}  # petrova's went quiet for 24 h
    evaluate(t0 + 25 * H + S, names={"KodeksSearchIsEmpty"})
    assert _keys(Alert, "KodeksSearchIsEmpty") == set()


def test_search_errors_resolve_after_a_quiet_hour(deliver, roga):
    from smart.alerts.models import Alert

    t0 = now() - 5 * H
    deliver(report(t0, searches=(_error(t0 - 60 * S),)))
    found = Alert.objects.get(rule="KodeksSearchError")
    assert found.state == "firing" and found.detail.endswith("the search engine failed")
    assert not Alert.objects.filter(rule="KodeksSearchIsEmpty").exists()  # an error is not an empty result
    evaluate(t0 + H - 61 * S, names={"KodeksSearchError"})
    assert Alert.objects.get(rule="KodeksSearchError").state == "firing"
    evaluate(t0 + H, names={"KodeksSearchError"})
    assert Alert.objects.get(rule="KodeksSearchError").state == "resolved"


def test_empty_online_searches_are_the_online_access_s(dealer, roga):
    from smart.alerts.models import Alert

    access = OnlineAccess.objects.create(dealer=dealer, client=roga.client, firm="Рога", login="roga",
                                         password="p", host="online.kodeks.ru", folder="docs7")
    t0 = now() - H
    OnlineSearch.objects.create(online_access=access, fingerprint="a1", at=t0, login="roga", text="СНиП 2.01",
                                search_type="intelligent", results=0)
    evaluate(t0 + H, installation_ids={roga.id}, names={"KodeksSearchIsEmpty"})  # an installation-only pass
    assert not Alert.objects.filter(rule="KodeksSearchIsEmpty").exists()
    evaluate(t0 + H, online_access_ids={access.id}, names={"KodeksSearchIsEmpty"})
    found = Alert.objects.get(rule="KodeksSearchIsEmpty")
    assert found.object_key.startswith(f"o{access.id}|q:") and found.online_access_id == access.id
    assert found.detail.startswith("online.kodeks.ru/docs7 roga: roga searched «СНиП 2.01» in docs7")


def _sessions(at, *spec):
    return tuple(Session(login=login, started_at=at - ago, ip=ip, browser="Chrome") for login, ip, ago in spec)


def test_one_login_from_two_places_within_an_hour_is_shared(deliver, roga, alert, state):
    t0 = now() - 5 * H
    deliver(report(t0, sessions=3))  # ivanov from 10.0.0.1 and 10.0.0.3, two minutes apart
    found = alert("KodeksSharedLogin", f"i{roga.id}|user:ivanov")
    assert found.state == "firing" and found.labels["ips"] == ["10.0.0.1", "10.0.0.3"]
    assert "login ivanov used from 2 addresses (10.0.0.1, 10.0.0.3) within 1 h and in 2 sessions at once" \
        in found.detail
    assert state("KodeksSharedLogin", f"i{roga.id}|user:petrova") is None
    deliver(report(t0 + H))
    assert state("KodeksSharedLogin", f"i{roga.id}|user:ivanov") == "firing"  # quiet for 24 h
    evaluate(t0 + 24 * H + S, names={"KodeksSharedLogin"})
    assert state("KodeksSharedLogin", f"i{roga.id}|user:ivanov") == "resolved"


def test_two_sessions_at_once_from_one_place_are_shared_too_but_apart_in_time_they_are_not(deliver, roga, alert,
                                                                                           state):
    from dataclasses import replace

    from tests.pipeline.reports import as_zip, sysinfo

    t0 = now() - 10 * H
    deliver(as_zip(replace(sysinfo(t0), sessions=_sessions(t0, ("petrova", "10.0.0.9", 3 * H)))))
    deliver(as_zip(replace(sysinfo(t0 + 2 * H), sessions=_sessions(t0 + 2 * H, ("petrova", "10.0.0.7", H)))))
    assert state("KodeksSharedLogin", f"i{roga.id}|user:petrova") is None  # two places, hours apart
    deliver(as_zip(replace(sysinfo(t0 + 3 * H), sessions=_sessions(
        t0 + 3 * H, ("ivanov", "10.0.0.5", 2 * H), ("ivanov", "10.0.0.5", 30 * 60 * S)))))
    found = alert("KodeksSharedLogin", f"i{roga.id}|user:ivanov")
    assert found.state == "firing" and found.labels["ips"] == [] and "in 2 sessions at once" in found.detail
