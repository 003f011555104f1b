"""The Telegram stand-in's page is where a person running the demo meets the bot: its buttons and its
"write to the bot" form go through the same updates a Telegram client would make."""
import re

import httpx
import pytest

from smart.alerts.models import Alert
from smart.notify.bot import create_binding
from smart.notify.models import TelegramBinding

from .conftest import CHAT
from .test_telegram_buttons import message  # noqa: F401 - a FIRING message with buttons in the stand-in

pytestmark = pytest.mark.django_db
FORM = re.compile(r'<form method="post" action="/press".*?name="data" value="([^"]+)".*?>([^<]+)</button></form>')


def test_pressing_a_button_on_the_page_acknowledges_the_alert(message, telegram, poller):  # noqa: F811
    page = httpx.get(telegram.url + "/").text
    buttons = {text: data for data, text in FORM.findall(page)}
    assert set(buttons) == {"Принять", "Отложить на 1 ч"}
    answer = httpx.post(telegram.url + "/press", data={"chat_id": CHAT, "message_id": message["message_id"],
                                                       "data": buttons["Принять"], "lang": "ru"})
    assert answer.status_code == 303 and answer.headers["location"] == "/?lang=ru"
    assert poller.run_once() == 1
    assert Alert.objects.get(rule="KodeksTcpStatus").acknowledged_via == "telegram"
    assert "Принято" in httpx.get(telegram.url + "/").text


def test_writing_start_code_on_the_page_binds_the_chat(dealer, telegram, poller):
    binding = create_binding(dealer)
    page = httpx.get(telegram.url + "/?lang=en")
    assert page.status_code == 200
    answer = httpx.post(telegram.url + "/say", data={"chat_id": "-100999", "text": f"/start {binding.code}", "lang": "en"})
    assert answer.status_code == 303
    assert poller.run_once() == 1
    assert TelegramBinding.objects.get(pk=binding.pk).chat_id == "-100999"
    assert "connected to SMART" in httpx.get(telegram.url + "/?lang=en").text


def test_a_press_on_a_message_that_does_not_exist_is_refused(telegram):
    answer = httpx.post(telegram.url + "/press", data={"chat_id": CHAT, "message_id": "999", "data": "a:1:x"})
    assert answer.status_code == 400 and "no bot message 999" in answer.text

