"""Acknowledge and snooze from the links of a FIRING e-mail: a GET only shows the confirmation page (mail
scanners open links), the page's POST form (with its CSRF token) acts; no login is needed."""
import re
import time
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from smart.alerts.actions import make_token, next_morning
from smart.alerts.models import Alert
from smart.notify.models import Channel

from .conftest import deliver, fail_tcp, links, notification

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def path(url: str) -> str:
    assert url.startswith(settings.SMART_BASE_URL)
    return url[len(settings.SMART_BASE_URL.rstrip("/")):]


def confirm_and_press(client: Client, url: str, lang: str = "ru"):
    page = client.get(path(url), {"lang": lang})
    assert page.status_code == 200
    token = CSRF.search(page.content.decode()).group(1)
    return page, client.post(path(url) + f"?lang={lang}", {"csrfmiddlewaretoken": token})


@pytest.fixture
def mail(fired, mail_route, sink):
    deliver(fired[1])
    [message] = sink.wait_for(1)
    return message


def test_firing_mail_carries_acknowledge_and_snooze_links_in_both_parts(mail):
    found = links(mail.text)
    assert list(found) == ["Принять", "Отложить на 1 ч", "Отложить до утра"]
    for url in found.values():
        assert url in mail.html  # the HTML part links the same pages


def test_get_only_confirms_and_the_post_acknowledges(mail):
    url = links(mail.text)["Принять"]
    client = Client(enforce_csrf_checks=True)
    alert = Alert.objects.get(rule="KodeksTcpStatus")
    page = client.get(path(url))
    text = page.content.decode()
    assert page.status_code == 200 and page["Content-Language"] == "ru" and page["Cache-Control"] == "no-store"
    assert "KodeksTcpStatus" in text and "connection refused" in text and "<form method=\"post\"" in text
    alert.refresh_from_db()
    assert alert.acknowledged_at is None  # a mail scanner's GET changes nothing

    before = timezone.now()
    _page, done = confirm_and_press(client, url)
    assert done.status_code == 200 and "Готово" in done.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_via == "email" and alert.acknowledged_by is None
    assert alert.acknowledged_at >= before
    assert alert.tta_s == pytest.approx((alert.acknowledged_at - alert.fired_at).total_seconds())
    assert alert.tta_s > 25 * 60  # fired about 26 minutes ago


def test_a_second_press_changes_nothing(mail):
    url = links(mail.text)["Принять"]
    client = Client(enforce_csrf_checks=True)
    confirm_and_press(client, url)
    first = Alert.objects.get(rule="KodeksTcpStatus").acknowledged_at
    _page, again = confirm_and_press(client, url)
    assert "Менять нечего" in again.content.decode() and "уже принята" in again.content.decode()
    assert Alert.objects.get(rule="KodeksTcpStatus").acknowledged_at == first


def test_a_post_without_the_csrf_token_is_refused(mail):
    url = links(mail.text)["Принять"]
    client = Client(enforce_csrf_checks=True)
    client.get(path(url))
    assert client.post(path(url)).status_code == 403
    assert Alert.objects.get(rule="KodeksTcpStatus").acknowledged_at is None


def test_snooze_for_an_hour_and_until_morning(mail):
    found = links(mail.text)
    client = Client(enforce_csrf_checks=True)
    before = timezone.now()
    confirm_and_press(client, found["Отложить на 1 ч"])
    alert = Alert.objects.get(rule="KodeksTcpStatus")
    assert timedelta(minutes=59) < alert.snoozed_until - before < timedelta(minutes=61)
    assert alert.acknowledged_at is None  # a snooze is not an acknowledgement

    page, done = confirm_and_press(client, found["Отложить до утра"])
    morning = next_morning(alert.dealer_id)
    assert morning.strftime("%d.%m.%Y %H:%M") in page.content.decode()
    alert.refresh_from_db()
    assert alert.snoozed_until == morning
    local = timezone.localtime(morning)
    assert (local.hour, local.minute) == (7, 30) and morning > timezone.now()


def test_pages_speak_english_on_request(mail):
    url = links(mail.text)["Принять"]
    client = Client(enforce_csrf_checks=True)
    page = client.get(path(url), {"lang": "en"})
    assert page["Content-Language"] == "en" and ">Acknowledge</button>" in page.content.decode()
    assert client.get(path(url), HTTP_ACCEPT_LANGUAGE="en").content.decode().count("Acknowledge") >= 2
    _page, done = confirm_and_press(client, url, lang="en")
    assert "Done" in done.content.decode() and "acknowledged" in done.content.decode()


def test_an_expired_link_is_refused_with_a_clear_page(fired, mail_route, sink):
    deliver(fired[1])
    n = notification(Channel.EMAIL)
    alerts = list(Alert.objects.filter(rule="KodeksTcpStatus"))
    old = make_token("ack", notification=n, alerts=alerts, ttl_s=60, now=time.time() - 120)
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/alerts/act/{old}")
    assert page.status_code == 410 and "Ссылка устарела" in page.content.decode()
    assert client.post(f"/alerts/act/{old}").status_code == 403  # no form, so no CSRF token
    assert Client().post(f"/alerts/act/{old}").status_code == 410
    assert Alert.objects.get(rule="KodeksTcpStatus").acknowledged_at is None


def test_a_tampered_link_is_refused(mail):
    url = links(mail.text)["Принять"]
    token = url.rsplit("/", 1)[1]
    payload, signature = token.rsplit(":", 1)
    forged = [payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + ":" + signature,  # changed data
              token[:-1] + ("x" if token[-1] != "x" else "y"),  # changed signature
              token.split(":")[0]]  # signature cut off
    for bad in forged:
        for client in (Client(), Client(enforce_csrf_checks=True)):
            page = client.get(f"/alerts/act/{bad}")
            assert page.status_code == 400 and "Недействительная ссылка" in page.content.decode()
        assert Client().post(f"/alerts/act/{bad}").status_code == 400
    assert Alert.objects.get(rule="KodeksTcpStatus").acknowledged_at is None


def test_a_link_signed_for_another_purpose_is_refused(mail):
    from django.core import signing

    n = notification(Channel.EMAIL)
    other = signing.dumps({"a": "ack", "e": int(time.time()) + 600, "n": n.pk, "f": "x"}, salt="another.salt")
    assert Client().get(f"/alerts/act/{other}").status_code == 400


def test_the_link_of_an_earlier_episode_does_not_touch_the_new_one(fleet, fired, mail_route, sink):
    deliver(fired[1])
    url = links(sink.wait_for(1)[0].text)["Принять"]
    later = fired[1] + timedelta(minutes=1)
    fail_tcp([fired[0]], later, minutes=1, ok=True)  # resolved
    fail_tcp([fired[0]], later + timedelta(minutes=1), minutes=7)  # and firing again
    alert = Alert.objects.get(rule="KodeksTcpStatus")
    assert alert.state == "firing" and alert.fired_at > fired[1]
    _page, done = confirm_and_press(Client(enforce_csrf_checks=True), url)
    assert "сработала снова" in done.content.decode()
    assert Alert.objects.get(rule="KodeksTcpStatus").acknowledged_at is None


def test_a_resolved_alert_is_not_acknowledged(fired, mail_route, sink):
    deliver(fired[1])
    url = links(sink.wait_for(1)[0].text)["Принять"]
    fail_tcp([fired[0]], fired[1] + timedelta(minutes=1), minutes=1, ok=True)
    _page, done = confirm_and_press(Client(enforce_csrf_checks=True), url)
    assert "уже не активна" in done.content.decode()
    assert Alert.objects.get(rule="KodeksTcpStatus").acknowledged_at is None


def test_resolved_mail_has_no_action_links(fired, mail_route, sink):
    deliver(fired[1])
    fail_tcp([fired[0]], fired[1] + timedelta(minutes=1), minutes=1, ok=True)
    deliver(fired[1] + timedelta(minutes=2))
    resolved = [m for m in sink.wait_for(2) if m.subject.startswith("[RESOLVED")]
    assert resolved and links(resolved[0].text) == {} and "/alerts/act/" not in resolved[0].html


def test_a_logged_in_person_is_recorded(mail, dealer):
    from smart.registry.models import User

    user = User.objects.create_user("ivanov", password="long-enough-pass", dealer=dealer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    confirm_and_press(client, links(mail.text)["Принять"])
    alert = Alert.objects.get(rule="KodeksTcpStatus")
    assert alert.acknowledged_by == user and alert.acknowledged_via == "email"


def test_next_morning_is_the_dealer_morning(dealer):
    from smart.notify.models import NotifyPolicy

    NotifyPolicy.objects.create(dealer=dealer, time_zone="Asia/Yekaterinburg", morning_at="08:15")
    evening = datetime.fromisoformat("2026-03-10T20:00:00+05:00")
    assert next_morning(dealer.pk, evening) == datetime.fromisoformat("2026-03-11T08:15:00+05:00")
    early = datetime.fromisoformat("2026-03-10T06:00:00+05:00")
    assert next_morning(dealer.pk, early) == datetime.fromisoformat("2026-03-10T08:15:00+05:00")
    assert next_morning(None, evening).utcoffset() == timedelta(hours=3)  # no dealer: Moscow, 07:30
