"""The home page's numbers against the scene's known data (tests/cabinet_pages/scene.py)."""
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from .scene import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    return build(world)


def get(user, path="/", now=None):
    c = Client()
    c.force_login(user)
    if now is None:
        return c.get(path)
    with mock.patch("smart.cabinet.views_home.timezone.now", return_value=now):
        return c.get(path)


def state_counts(html: str, card: int) -> dict:
    """{state: number} as the page shows them in the card-th state row."""
    part = html.split(f'data-states="{card}"', 1)[1].split("</section>", 1)[0]
    return {s: int(n) for s, n in re.findall(r'data-state="(\w+)"[^>]*>\s*<b>(\d+)</b>', part)}


def test_dealer_admin_sees_the_dealer_by_state(scene):
    r = get(scene.a.dealer_admin)
    html = r.content.decode()
    assert state_counts(html, 1) == {"ok": 1, "warning": 1, "failing": 2, "silent": 1}  # installations
    assert state_counts(html, 2) == {"ok": 1, "warning": 0, "failing": 1, "silent": 1}  # online accesses
    urgent = {row["alert"].pk for row in r.context["urgent"]}
    al = scene.alerts
    assert urgent == {al["zavod_p1"].pk, al["bank_p2"].pk, al["bank_access_p2"].pk}
    # P1 before P2
    assert [row["alert"].priority for row in r.context["urgent"]] == ["P1", "P2", "P2"]
    assert "connection refused" in html and "42 documents left" in html
    assert "operup 4 days old" not in html  # P3: not on the home page
    silent = {row["name"] for row in r.context["silent"]}
    assert silent == {i.name for i in scene.a.installations.values()}  # the pulled ones never reported
    assert 'data-quarantine-names>1<' in html and 'data-quarantine-reports>1<' in html
    assert '/registry/quarantine/' in html or "quarantine" in r.context["quarantine"]["url"]
    licences = [(row["installation__name"], row["product"], row["expires_on"]) for row in r.context["licences"]]
    assert licences == [("ZVEZDA-A", "Кодекс: Охрана труда", scene.licence_end)]  # not next month's, not next year's
    assert f'/installations/{scene.zvezda.pk}/' in html and "/d/emergencies/" in html
    assert "Дилер-B" not in html and "0202" not in html  # nothing of the other dealer


def test_manager_sees_only_their_clients(scene):
    r = get(scene.a.manager)
    html = r.content.decode()
    # zavod (P1, failing) and ZVEZDA-A (P3, warning); the branch client's online access checked a minute ago
    assert state_counts(html, 1) == {"ok": 0, "warning": 1, "failing": 1, "silent": 0}
    assert state_counts(html, 2) == {"ok": 1, "warning": 0, "failing": 0, "silent": 0}
    assert [row["alert"].pk for row in r.context["urgent"]] == [scene.alerts["zavod_p1"].pk]
    assert "servicing needed" not in html and "42 documents left" not in html
    assert r.context["quarantine"] is None and "data-quarantine" not in html  # attaching is dealer-wide work
    assert [row["installation__name"] for row in r.context["licences"]] == ["ZVEZDA-A"]


def test_silence_follows_each_installations_interval(scene):
    """Three hours later ZVEZDA-A (every hour) is silent, FRESH-A (every 8 h) is not; failing stays failing."""
    later = scene.now + timedelta(hours=3)
    r = get(scene.a.dealer_admin, now=later)
    silent = {row["name"] for row in r.context["silent"]}
    assert "ZVEZDA-A" in silent and "FRESH-A" not in silent
    # ZVEZDA-A: its P3 alert no longer decides, it is silent now; zavod and bank stay failing (P1/P2 first)
    assert state_counts(r.content.decode(), 1) == {"ok": 1, "warning": 0, "failing": 2, "silent": 2}
    zvezda = next(row for row in r.context["silent"] if row["name"] == "ZVEZDA-A")
    # its last sign of life is the newest receipt: the status file came after the sysinfo report
    assert zvezda["last_sign"] == scene.zvezda.state.status_received_at
    assert abs(zvezda["age_s"] - (later - zvezda["last_sign"]).total_seconds()) < 1
    assert zvezda["interval_text"] == "1 ч"  # expected every hour, said as people say it


def test_operator_sees_every_dealer_with_a_dealer_column(scene):
    r = get(scene.world.operator)
    html = r.content.decode()
    urgent = {row["alert"].pk for row in r.context["urgent"]}
    assert scene.alerts["b_p1"].pk in urgent and scene.alerts["zavod_p1"].pk in urgent
    assert r.context["show_dealer"] and ">0202<" in html and ">0101<" in html
    # dealer B's three pulled installations never reported either
    assert len(r.context["silent"]) == 6


def test_acknowledged_alert_shows_who(scene):
    from smart.alerts import actions

    actions.acknowledge(scene.alerts["zavod_p1"], scene.a.manager, via="ui", now=timezone.now())
    html = get(scene.a.dealer_admin).content.decode()
    assert "data-acknowledged" in html and scene.a.manager.full_name in html


def test_a_state_tile_lists_its_objects(scene):
    r = get(scene.a.dealer_admin, "/?show=inst-failing")
    a = scene.a
    expected = {a.installations[a.branch_client.slug].pk, a.installations[a.other_manager_client.slug].pk}
    assert {row["id"] for row in r.context["shown"][2]} == expected
    html = r.content.decode()
    assert all(f'/installations/{pk}/' in html.split('id="objects"', 1)[1] for pk in expected)
    r = get(scene.a.manager, "/?show=online-ok")
    assert [row["id"] for row in r.context["shown"][2]] == [a.accesses[a.branch_client.slug].pk]
    assert get(scene.a.manager, "/?show=bogus").context["shown"] is None


def test_an_alert_storm_is_cut_short_on_the_home_page(scene):
    from .scene import fire

    zavod = scene.a.installations[scene.a.branch_client.slug]
    for i in range(60):  # sixty different rules would be sixty rows; one rule per volume groups into one row
        fire(f"KodeksDBerrorsCode{2000 + i}", zavod, scene.now, "P1", "K1", key=f"i{zavod.pk}|storm{i}",
             installation_id=zavod.pk)
    r = get(scene.a.dealer_admin)
    assert len(r.context["urgent"]) == 50 and r.context["urgent_total"] == 63
    assert "var-priority=P1&amp;var-priority=P2" in r.content.decode()
