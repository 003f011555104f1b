"""TelegramClient against the Bot API stand-in over HTTP: what is sent, and how answers become typed errors."""
import pytest

from smart.notify.transports import PermanentError, TransientError
from smart.notify.transports.telegram import TelegramClient


ALERT = ("<b>SMART.Дилер</b>\nFIRING <b>KodeksXmlSensLockStatus</b>\n• zavod-zvezda.local\n"
         "по данным xml sysinfo ключ SenseLock не работает\n"
         '<a href="http://smart.uniclass.ru/docs/errors/KodeksXmlSensLockStatus.md">подробнее</a>')


def test_send_with_inline_buttons_is_recorded(tg, client):
    message_id = client.send_message(42, ALERT, [("Принято", "ack:17"), ("Runbook", "https://smart.local/rb")])
    [sent] = tg.messages(42)
    assert sent["message_id"] == message_id
    assert sent["text"] == ALERT and sent["parse_mode"] == "HTML" and sent["disable_web_page_preview"]
    assert sent["reply_markup"] == {"inline_keyboard": [[{"text": "Принято", "callback_data": "ack:17"},
                                                         {"text": "Runbook", "url": "https://smart.local/rb"}]]}


def test_rows_of_buttons_and_message_ids_per_chat(tg, client):
    assert client.send_message(-1001, "a", [[("1", "a:1")], [("2", "a:2")]]) == 1
    assert client.send_message(-1001, "b") == 2
    assert client.send_message(7, "c") == 1
    assert len(tg.messages(-1001)[0]["reply_markup"]["inline_keyboard"]) == 2


def test_edit_replaces_text_and_buttons_and_an_unchanged_edit_is_fine(tg, client):
    message_id = client.send_message(42, "FIRING", [("Принято", "ack:1")])
    client.edit_message(42, message_id, "FIRING — принято Ивановым")
    client.edit_message(42, message_id, "FIRING — принято Ивановым")  # Telegram: "message is not modified"
    [sent] = tg.messages(42)
    assert sent["text"] == "FIRING — принято Ивановым" and sent["reply_markup"] is None and sent["edited_at"]
    with pytest.raises(PermanentError, match="message to edit not found"):
        client.edit_message(42, 999, "x")


def test_429_fault_is_transient_with_retry_after(tg, client):
    tg.set_fault("rate_limit", 7, chat_id=42)
    with pytest.raises(TransientError) as caught:
        client.send_message(42, "x")
    assert caught.value.retry_after == 7 and caught.value.code == 429
    client.send_message(43, "other chats are not limited")


@pytest.mark.parametrize("code", [500, 502])
def test_server_errors_are_transient(tg, client, code):
    tg.set_fault("server_error", code)
    with pytest.raises(TransientError) as caught:
        client.send_message(42, "x")
    assert caught.value.code == code
    tg.clear_faults()
    client.send_message(42, "x")


def test_chat_not_found_and_bot_blocked_are_permanent(tg, client):
    tg.set_fault("chat_not_found", chat_id=-100500)
    tg.set_fault("bot_blocked", chat_id=42)
    with pytest.raises(PermanentError, match="chat not found") as caught:
        client.send_message(-100500, "x")
    assert caught.value.code == 400
    with pytest.raises(PermanentError, match="bot was blocked by the user") as caught:
        client.send_message(42, "x")
    assert caught.value.code == 403
    assert tg.messages(42) == [] and tg.messages(-100500) == []


def test_wrong_token_is_permanent_and_the_token_never_shows(tg):
    wrong = "999:WRONG-SECRET"
    with TelegramClient(tg.url, wrong, timeout=5) as client:
        with pytest.raises(PermanentError) as caught:
            client.send_message(42, "x")
    assert caught.value.code == 401 and "Unauthorized" in str(caught.value)
    assert "WRONG-SECRET" not in str(caught.value)


def test_down_is_transient(tg, client):
    tg.set_fault("down")
    with pytest.raises(TransientError):
        client.send_message(42, "x")
    tg.set_fault("down", False)
    client.send_message(42, "x")


def test_too_long_text_is_refused_before_sending(tg, client):
    with pytest.raises(ValueError, match="4096"):
        client.send_message(42, "я" * 4097)
    assert tg.messages(42) == []
    client.send_message(42, "<b>" + "я" * 4096 + "</b>")  # tags do not count, for the client as for Telegram
    assert len(tg.messages(42)) == 1


def test_bad_html_is_permanent(tg, client):
    with pytest.raises(PermanentError, match="can't parse entities: Unsupported start tag \"br\""):
        client.send_message(42, "line<br>line")


def test_callback_data_over_64_bytes_is_refused(client):
    with pytest.raises(ValueError, match="callback data"):
        client.send_message(42, "x", [("Принято", "ack:" + "я" * 40)])


def test_updates_bring_start_code_and_button_press(tg, client):
    message_id = client.send_message(42, "FIRING", [("Принято", "ack:17")])
    tg.user_says(42, "/start ABC123")
    tg.user_presses(42, message_id, "ack:17")
    first, second = client.get_updates(timeout=1)
    assert first["message"]["text"] == "/start ABC123" and first["message"]["chat"]["id"] == 42
    assert first["message"]["entities"][0]["type"] == "bot_command"
    press = second["callback_query"]
    assert press["data"] == "ack:17" and press["message"]["message_id"] == message_id
    client.answer_callback(press["id"], "Принято")
    assert tg.state()["callbacks"][press["id"]]["answered"] is True
    with pytest.raises(PermanentError, match="query is too old"):
        client.answer_callback(press["id"])
    assert client.get_updates(offset=second["update_id"] + 1) == []  # the offset confirmed both


def test_get_me_and_commands(tg, client):
    assert client.get_me()["username"] == "smart_alert_bot"
    client.set_commands([("start", "Подключить канал"), ("ack", "Принять тревогу")])
    assert tg.state()["commands"][0] == {"command": "start", "description": "Подключить канал"}


def test_no_answer_leaves_the_outcome_unknown_a_refused_connection_does_not(tg):
    import asyncio
    import threading

    from smart.simulator.standin.http import NO_ANSWER, Listener

    async def silent(request):
        return NO_ANSWER

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    listener = Listener(silent)
    port = asyncio.run_coroutine_threadsafe(listener.start(), loop).result(5)
    try:
        with TelegramClient(f"http://127.0.0.1:{port}", "1:T", timeout=0.5) as client:
            with pytest.raises(TransientError) as caught:
                client.send_message(42, "x")
        assert caught.value.outcome_unknown and "timeout" in str(caught.value)
    finally:
        asyncio.run_coroutine_threadsafe(listener.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
    tg.set_fault("down")
    with TelegramClient(tg.url, "1:T", timeout=2) as client:
        with pytest.raises(TransientError) as caught:
            client.send_message(42, "x")
    assert not caught.value.outcome_unknown


def test_a_user_language_and_the_answers_to_presses(tg, client):
    message_id = client.send_message(42, "FIRING", [("Acknowledge", "a:1:x")])
    tg.user_says(42, "/start X", language="en")
    tg.user_presses(42, message_id, "a:1:x", user_id=9)
    said, pressed = client.get_updates()
    assert said["message"]["from"]["language_code"] == "en"
    assert pressed["callback_query"]["from"]["language_code"] == "ru"
    client.answer_callback(pressed["callback_query"]["id"], "Принято", show_alert=True)
    [answer] = tg.callback_answers().values()
    assert answer == {"chat_id": 42, "data": "a:1:x", "answered": True, "text": "Принято", "show_alert": True}
