"""The Bot API stand-in itself: limits as Telegram applies them, long polling, control endpoint, the page."""
import threading
import time

import httpx
import pytest

from smart.notify.transports import PermanentError, TransientError

from .conftest import TOKEN


def test_own_rate_limit_triggers_after_20_messages_a_minute_to_a_group(tg, client):
    for n in range(20):
        client.send_message(-100123, f"alert {n}")
    with pytest.raises(TransientError) as caught:
        client.send_message(-100123, "alert 21")
    assert caught.value.code == 429 and 1 <= caught.value.retry_after <= 60
    assert len(tg.messages(-100123)) == 20
    for n in range(3):  # a private chat has its own, larger allowance
        client.send_message(42, f"direct {n}")


def test_long_poll_times_out_empty(client):
    started = time.monotonic()
    assert client.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9


def test_long_poll_returns_as_soon_as_the_user_writes(tg, client):
    threading.Timer(0.3, tg.user_says, (42, "/start XYZ789")).start()
    started = time.monotonic()
    [update] = client.get_updates(timeout=8)
    assert update["message"]["text"] == "/start XYZ789"
    assert time.monotonic() - started < 4


def test_too_long_message_is_a_bad_request(tg):
    answer = httpx.post(f"{tg.url}/bot{TOKEN}/sendMessage", json={"chat_id": 42, "text": "x" * 4097})
    assert answer.status_code == 400
    assert answer.json() == {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}


def test_form_encoded_calls_and_json_reply_markup_string(tg):
    answer = httpx.post(f"{tg.url}/bot{TOKEN}/sendMessage", data={
        "chat_id": "42", "text": "hi", "reply_markup": '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'})
    assert answer.json()["ok"] is True
    assert tg.messages(42)[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"


def test_control_endpoint_faults_users_and_chats(tg, client):
    control = tg.control_url + "/control"
    assert httpx.post(f"{control}/faults", json={"faults": {"bot_blocked": True}, "chat_id": 42}).status_code == 200
    with pytest.raises(PermanentError, match="blocked"):
        client.send_message(42, "x")
    httpx.post(f"{control}/faults", json={"faults": {"bot_blocked": False}, "chat_id": 42})
    message_id = client.send_message(42, "FIRING", [("Принято", "ack:5")])
    assert httpx.post(f"{control}/users/42/send", json={"text": "/start ABC123"}).status_code == 200
    assert httpx.post(f"{control}/users/42/press", json={"message_id": message_id, "data": "ack:5"}).status_code == 200
    assert httpx.post(f"{control}/users/42/press", json={"message_id": 99, "data": "x"}).status_code == 400
    kinds = [next(k for k in u if k != "update_id") for u in client.get_updates()]
    assert kinds == ["message", "callback_query"]
    [chat] = httpx.get(f"{control}/chats").json()["chats"]
    assert chat["chat_id"] == 42 and [m["direction"] for m in chat["messages"]] == ["out", "in"]
    assert httpx.post(f"{control}/faults", json={"faults": {"nonsense": True}}).status_code == 400


def test_down_through_the_api_port_and_back_through_the_control_port(tg):
    answer = httpx.post(f"{tg.url}/control/faults", json={"faults": {"down": True}})
    assert answer.json() == {"faults": {"down": True}}
    time.sleep(0.3)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{tg.url}/bot{TOKEN}/getMe")
    httpx.post(f"{tg.control_url}/control/faults", json={"faults": {"down": False}})
    assert httpx.get(f"{tg.url}/bot{TOKEN}/getMe").json()["ok"] is True


def test_page_lists_messages_newest_first(tg, client):
    client.send_message(42, "<b>FIRING</b> KodeksBehindProxyDown")
    client.send_message(42, "<b>RESOLVED</b> KodeksBehindProxyDown")
    client.send_message(43, 'x <a href="javascript:alert(1)">link</a> &lt;script&gt;')
    page = httpx.get(tg.url + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert '<meta http-equiv="refresh" content="5">' in text and "Чат 42" in text
    assert text.index("<b>RESOLVED</b>") < text.index("<b>FIRING</b>")
    assert "javascript:" not in text and "<script>" not in text and "&lt;script&gt;" in text
    english = httpx.get(tg.control_url + "/?lang=en").text
    assert "Chat 42" in english and "Newest messages first" in english
