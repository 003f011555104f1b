"""The Telegram stand-in's Bot API methods and control routes, over the state of a `TelegramStandin`.

Errors carry the real API's codes and wording, so that a client written against this stand-in reads the
real Bot API's answers the same way.
"""
import asyncio
import json
import math
import re
import time

from smart.simulator.standin.http import Request, Response
from smart.simulator.telegram_html import parse

FAULTS = ("rate_limit", "server_error", "chat_not_found", "bot_blocked", "down")
NUMERIC = {"rate_limit": 5.0, "server_error": 500.0}
MAX_TEXT, MAX_POLL = 4096, 10.0
LIMITS = {"private": (60, 60.0), "group": (20, 60.0)}  # (messages, seconds) per chat
GLOBAL_LIMIT = (30, 1.0)  # messages a second to all chats together
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: float | None = None):
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def json_response(data, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, default=str).encode()
    return Response(status, [("Content-Type", "application/json")], body)


def chat_key(chat_id) -> str:
    text = str(chat_id).strip()
    return str(int(text)) if text.lstrip("-").isdigit() else text


def chat_type(key: str) -> str:
    if key.startswith("-100"):
        return "supergroup"
    return "group" if key.startswith("-") else "private" if key.isdigit() else "channel"


# ---- Bot API ---------------------------------------------------------------------------------------------

async def call(tg, method: str, params: dict):
    """One Bot API method (lower-case name) → its result, or ApiError."""
    handler = METHODS.get(method)
    if handler is None:
        raise ApiError(404, "Not Found")
    _faults(tg.faults, sending=False)
    return await handler(tg, params)


def _faults(faults: dict, sending: bool) -> None:
    if faults.get("server_error"):
        code = int(faults["server_error"])
        raise ApiError(code, "Bad Gateway" if code == 502 else "Internal Server Error")
    if not sending:
        return
    if faults.get("rate_limit"):
        retry = int(math.ceil(faults["rate_limit"]))
        raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
    if faults.get("chat_not_found"):
        raise ApiError(400, "Bad Request: chat not found")
    if faults.get("bot_blocked"):
        raise ApiError(403, "Forbidden: bot was blocked by the user")


def _chat(tg, params: dict) -> str:
    if params.get("chat_id") in (None, ""):
        raise ApiError(400, "Bad Request: chat_id is empty")
    key = chat_key(params["chat_id"])
    _faults(tg.faults | tg.chat_faults.get(key, {}), sending=True)
    return key


def _text(params: dict) -> tuple[str, str | None]:
    text, mode = params.get("text"), params.get("parse_mode") or None
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if mode not in (None, "HTML", "MarkdownV2", "Markdown"):
        raise ApiError(400, "Bad Request: unsupported parse_mode")
    visible = text
    if mode == "HTML":
        try:
            visible = parse(text)[0]
        except ValueError as exc:
            raise ApiError(400, f"Bad Request: {exc}") from None
    if len(visible) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return text, mode


def _markup(raw) -> dict | None:
    if raw in (None, ""):
        return None
    try:
        markup = json.loads(raw) if isinstance(raw, str) else raw
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise TypeError
    except (ValueError, TypeError, KeyError):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object") from None
    for button in (b for row in rows for b in row):
        if not isinstance(button, dict) or not str(button.get("text", "")).strip():
            raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed "
                                "in the inline keyboard")
        if "callback_data" in button and not 1 <= len(str(button["callback_data"]).encode()) <= 64:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
            raise ApiError(400, f"Bad Request: inline keyboard button URL '{button['url']}' is invalid: "
                                "Wrong HTTP URL")
    return markup if any(rows) else None


def _rate_limit(tg, key: str) -> None:
    if not tg.rate_limits:
        return
    now = time.monotonic()
    chat = tg._chat(key)
    limit, window = LIMITS["private" if chat["type"] == "private" else "group"]
    for times, (most, span) in ((chat["sent"], (limit, window)), (tg._sent, GLOBAL_LIMIT)):
        while times and times[0] <= now - span:
            times.popleft()
        if len(times) >= most:
            retry = max(1, int(math.ceil(times[0] + span - now)))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
    chat["sent"].append(now)
    tg._sent.append(now)


async def send_message(tg, params: dict) -> dict:
    key = _chat(tg, params)
    text, mode = _text(params)
    markup = _markup(params.get("reply_markup"))
    _rate_limit(tg, key)
    preview = str(params.get("disable_web_page_preview", "")).lower() in ("true", "1")
    message = tg._record(key, "out", text, parse_mode=mode, reply_markup=markup, disable_web_page_preview=preview)
    return tg._message_object(key, message)


async def edit_message_text(tg, params: dict) -> dict:
    key = _chat(tg, params)
    try:
        message_id = int(params["message_id"])
    except (KeyError, TypeError, ValueError):
        raise ApiError(400, "Bad Request: message identifier is not specified") from None
    found = [m for m in tg._chat(key)["messages"] if m["message_id"] == message_id and m["direction"] == "out"]
    if not found:
        raise ApiError(400, "Bad Request: message to edit not found")
    text, mode = _text(params)
    markup = _markup(params.get("reply_markup"))
    message = found[0]
    if (message["text"], message["reply_markup"]) == (text, markup):
        raise ApiError(400, NOT_MODIFIED)
    message.update(text=text, parse_mode=mode, reply_markup=markup, edited_at=time.time())
    return tg._message_object(key, message)


async def answer_callback_query(tg, params: dict) -> bool:
    entry = tg.callbacks.get(str(params.get("callback_query_id", "")))
    if entry is None or entry["answered"]:
        raise ApiError(400, QUERY_INVALID)
    entry.update(answered=True, text=params.get("text"), show_alert=bool(params.get("show_alert")))
    return True


async def get_updates(tg, params: dict) -> list[dict]:
    """Long poll: wait up to `timeout` seconds (at most MAX_POLL) for updates from `offset` on."""
    try:
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_POLL)
    except ValueError:
        raise ApiError(400, "Bad Request: wrong parameter value") from None
    if offset > 0:  # confirms everything before it
        tg.updates[:] = [u for u in tg.updates if u["update_id"] >= offset]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        pending = tg.updates[offset:] if offset < 0 else tg.updates[:limit]
        if pending or loop.time() >= deadline or tg.closing:
            return pending[:limit]
        try:
            await asyncio.wait_for(tg._arrived.wait(), deadline - loop.time())
        except TimeoutError:
            pass


async def get_me(tg, params: dict) -> dict:
    return tg.bot


async def set_my_commands(tg, params: dict) -> bool:
    commands = params.get("commands")
    try:
        commands = json.loads(commands) if isinstance(commands, str) else commands
        valid = isinstance(commands, list) and all(
            _COMMAND.match(c["command"]) and 1 <= len(c["description"]) <= 256 for c in commands)
    except (ValueError, TypeError, KeyError):
        valid = False
    if not valid:
        raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
    tg.commands = commands
    return True


async def get_my_commands(tg, params: dict) -> list:
    return tg.commands


async def delete_webhook(tg, params: dict) -> bool:
    return True


METHODS = {"sendmessage": send_message, "editmessagetext": edit_message_text,
           "answercallbackquery": answer_callback_query, "getupdates": get_updates, "getme": get_me,
           "setmycommands": set_my_commands, "getmycommands": get_my_commands, "deletewebhook": delete_webhook}


# ---- control -------------------------------------------------------------------------------------------

async def control(tg, parts: list[str], request: Request) -> Response:
    """GET /control, /control/chats[/<id>]; POST /control/faults, /control/users/<id>/send|press, /control/reset."""
    try:
        if request.method in ("GET", "HEAD"):
            state = tg._state()
            if not parts:
                return json_response(state)
            if parts == ["chats"]:
                return json_response({"chats": state["chats"]})
            if len(parts) == 2 and parts[0] == "chats":
                found = [c for c in state["chats"] if chat_key(c["chat_id"]) == chat_key(parts[1])]
                return json_response(found[0]) if found else json_response({"error": "no such chat"}, 404)
            return json_response({"error": "not found"}, 404)
        if request.method != "POST":
            return json_response({"error": "method not allowed"}, 405)
        payload = json.loads(request.body or b"{}")
        if not isinstance(payload, dict):
            raise ValueError("a JSON object is expected")
        if parts == ["faults"]:
            if not isinstance(payload.get("faults"), dict):
                raise ValueError('"faults" must be an object')
            faults = await tg.apply_faults(payload["faults"], payload.get("chat_id"), defer=True)
            return json_response({"faults": faults})
        if parts == ["reset"]:
            await tg.clear_all()
            return json_response(tg._state())
        if len(parts) == 3 and parts[0] == "users" and parts[2] == "send":
            if not isinstance(payload.get("text"), str) or not payload["text"]:
                raise ValueError('"text" is required')
            return json_response(await tg.add_message_update(parts[1], payload["text"], payload.get("user_id"),
                                                             str(payload.get("language") or "ru")))
        if len(parts) == 3 and parts[0] == "users" and parts[2] == "press":
            update = await tg.add_callback_update(parts[1], int(payload["message_id"]), str(payload["data"]),
                                                  payload.get("user_id"), str(payload.get("language") or "ru"))
            return json_response(update)
        return json_response({"error": "not found"}, 404)
    except (ValueError, TypeError, KeyError) as exc:
        return json_response({"error": str(exc).strip("'\"")}, 400)
