"""A manager opens the health card from the alert message (Telegram on a phone, HTML e-mail)."""
import pytest
from django.test import override_settings

from smart.notify import render
from smart.notify.models import Notification

from .scene import build

pytestmark = pytest.mark.django_db


@override_settings(SMART_BASE_URL="https://smart.example.test/")
def test_messages_link_the_client_to_its_health_card(world):
    scene = build(world)
    p1, online = scene.alerts["zavod_p1"], scene.alerts["bank_access_p2"]
    note = Notification(rule=p1.rule, new_state="firing", kind="alert", language="ru", dealer=p1.dealer)
    text = render.telegram(note, [p1])
    url = f"https://smart.example.test/installations/{p1.installation_id}/"
    assert f'• <a href="{url}">{p1.client.display_name}</a> – connection refused' in text
    assert f'<li><a href="{url}">' in render.email(note, [p1])["html"]
    # an online access has no installation: its client's card
    text = render.telegram(note, [online])
    assert f'<a href="https://smart.example.test/clients/{online.client_id}/">' in text
