"""A Telegram Bot API stand-in over real HTTP on loopback, for tests and the demo.

    tg = TelegramStandin(token="123456:TEST").start_in_thread()
    client calls f"{tg.url}/bot{token}/sendMessage"; a person opens tg.url (or tg.control_url) in a browser
    tg.messages(-1001), tg.set_fault("bot_blocked", chat_id=42), tg.user_says(42, "/start ABC123")
    tg.stop()

It answers like the real API (ok/result, error_code/description, 429 with parameters.retry_after), checks
the HTML subset and the 4096-character limit, and limits each chat (60 messages a minute to a private chat,
20 to a group, 30 a second overall). Faults, globally or per chat: rate_limit (retry_after seconds),
server_error (500 or 502), chat_not_found, bot_blocked; and down (the API port stops listening; the
control port stays up so that it can be switched back). Control: GET /control, /control/chats[/<id>],
POST /control/faults {"faults": {...}, "chat_id": …}, /control/users/<id>/send {"text"},
/control/users/<id>/press {"message_id", "data"}, /control/reset. Page: GET / (?lang=en).
"""
import asyncio
import json
import math
import time
from collections import deque
from datetime import datetime, timezone

from smart.simulator import telegram_html
from smart.simulator.loopthread import LoopThread
from smart.simulator.standin.http import REFUSE, SERVE, Listener, Request, Response, html, merge_faults
from smart.simulator.telegram_api import (FAULTS, NUMERIC, ApiError, call, chat_key, chat_type, control,
                                          json_response)


class TelegramStandin:
    """The Bot API of one bot on `port` (0 = free) plus a control port that never goes down."""

    def __init__(self, token: str = "123456:TEST-TOKEN", port: int = 0, control_port: int = 0,
                 host: str = "127.0.0.1", username: str = "smart_alert_bot", rate_limits: bool = True):
        self.token, self.host, self.rate_limits = token, host, rate_limits
        bot_id = int(token.split(":")[0]) if token.split(":")[0].isdigit() else 1000001
        self.bot = {"id": bot_id, "is_bot": True, "first_name": "SMART", "username": username}
        self.api = Listener(self.handle, host, port, server_header="telegram-standin")
        self.control = Listener(self.handle, host, control_port, server_header="telegram-standin")
        self.faults, self.chat_faults = {}, {}
        self.chats: dict[str, dict] = {}
        self.updates: list[dict] = []
        self.callbacks: dict[str, dict] = {}  # callback_query_id -> {"answered": …, "text": …}
        self.commands: list = []
        self._next_update, self._sent = 100000001, deque()
        self._arrived: asyncio.Event | None = None
        self.closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner = LoopThread("telegram-standin")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.api.port}"

    @property
    def control_url(self) -> str:
        return f"http://{self.host}:{self.control.port}"

    # ---- life ----------------------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop, self._arrived, self.closing = asyncio.get_running_loop(), asyncio.Event(), False
        await self.api.start()
        await self.control.start()

    async def aclose(self) -> None:
        """Stop both ports; long polls still waiting return at once (empty) instead of hanging on."""
        self.closing = True
        if self._arrived is not None:
            self._arrived.set()
        await self.api.stop()
        await self.control.stop()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if others:
            await asyncio.wait(others, timeout=2)

    def start_in_thread(self) -> "TelegramStandin":
        """Serve from a daemon thread; returns once both ports listen."""
        self._runner.start()
        try:
            self._runner.call(self.start(), 10)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self._runner.stop(self.aclose())

    def __enter__(self) -> "TelegramStandin":
        return self.start_in_thread()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _sync(self, coro):
        return self._runner.call(coro, 30)

    # ---- Python API (from other threads) ---------------------------------------------------------------

    def messages(self, chat_id, incoming: bool = False) -> list[dict]:
        """The bot's messages to `chat_id`, oldest first (with the user's own when `incoming`)."""
        async def read():
            chat = self.chats.get(chat_key(chat_id), {"messages": []})
            return [dict(m) for m in chat["messages"] if incoming or m["direction"] == "out"]
        return self._sync(read())

    def set_fault(self, name: str, value=True, chat_id=None) -> dict:
        return self._sync(self.apply_faults({name: value}, chat_id))

    def clear_faults(self) -> dict:
        async def clear():
            self.chat_faults.clear()
            return await self.apply_faults(dict.fromkeys(self.faults, False))
        return self._sync(clear())

    def reset(self) -> None:
        self._sync(self.clear_all())

    def user_says(self, chat_id, text: str, user_id: int | None = None, language: str = "ru") -> dict:
        """A person writes `text` in the chat (the bot's next getUpdates brings it)."""
        return self._sync(self.add_message_update(chat_id, text, user_id, language))

    def user_presses(self, chat_id, message_id: int, data: str, user_id: int | None = None,
                     language: str = "ru") -> dict:
        """A person presses an inline button of the bot's message `message_id`; `data` is what the client
        sends as callback data (normally the button's own, but a modified client may send anything)."""
        return self._sync(self.add_callback_update(chat_id, message_id, data, user_id, language))

    def callback_answers(self) -> dict:
        """{callback_query_id: {"chat_id", "data", "answered", "text", "show_alert"}} of every button press."""
        async def read():
            return {k: dict(v) for k, v in self.callbacks.items()}
        return self._sync(read())

    def state(self) -> dict:
        async def read():
            return json.loads(json.dumps(self._state(), default=str))
        return self._sync(read())

    # ---- state changes (on the loop) ---------------------------------------------------------------------

    async def apply_faults(self, changes: dict, chat_id=None, defer: bool = False) -> dict:
        """Merge fault changes (globally, or for one chat); `defer` closes the API port only after the
        current answer went out (a control request may have come in through that port)."""
        if chat_id is not None:
            if "down" in changes:
                raise ValueError("down is a fault of the whole API, not of one chat")
            faults = self.chat_faults.setdefault(chat_key(chat_id), {})
            merge_faults(faults, changes, FAULTS, NUMERIC)
            return faults
        merge_faults(self.faults, changes, FAULTS, NUMERIC)
        mode = REFUSE if self.faults.get("down") else SERVE
        if defer and mode == REFUSE:
            self._loop.call_later(0.05, lambda: self._loop.create_task(self.api.set_mode(mode)))
        else:
            await self.api.set_mode(mode)
        return self.faults

    async def clear_all(self) -> None:
        """Forget chats, updates, callbacks and faults (the API port listens again)."""
        self.chats.clear()
        self.updates.clear()
        self.callbacks.clear()
        self.chat_faults.clear()
        self._sent.clear()
        await self.apply_faults(dict.fromkeys(self.faults, False))

    def _chat(self, key: str) -> dict:
        return self.chats.setdefault(key, {"chat_id": int(key) if key.lstrip("-").isdigit() else key,
                                           "type": chat_type(key), "messages": [], "next_id": 1, "sent": deque()})

    def _record(self, key: str, direction: str, text: str, **extra) -> dict:
        chat, now = self._chat(key), time.time()
        message = {"message_id": chat["next_id"], "chat_id": chat["chat_id"], "direction": direction,
                   "text": text, "date": now, "time": datetime.fromtimestamp(now, timezone.utc).isoformat(),
                   "edited_at": None, **extra}
        chat["next_id"] += 1
        chat["messages"].append(message)
        return message

    def _push(self, update: dict) -> dict:
        update = {"update_id": self._next_update, **update}
        self._next_update += 1
        self.updates.append(update)
        self._arrived.set()
        self._arrived = asyncio.Event()
        return update

    def _user(self, key: str, user_id, language: str = "ru") -> dict:
        uid = user_id or (int(key) if key.isdigit() else 777000)
        return {"id": uid, "is_bot": False, "first_name": f"User {uid}", "language_code": language}

    async def add_message_update(self, chat_id, text: str, user_id=None, language: str = "ru") -> dict:
        key = chat_key(chat_id)
        message = self._record(key, "in", text, parse_mode=None, reply_markup=None)
        body = {"message_id": message["message_id"], "from": self._user(key, user_id, language),
                "chat": self._chat_object(key), "date": int(message["date"]), "text": text}
        if text.startswith("/"):
            body["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
        return self._push({"message": body})

    async def add_callback_update(self, chat_id, message_id: int, data: str, user_id=None, language: str = "ru") -> dict:
        key = chat_key(chat_id)
        found = [m for m in self.chats.get(key, {"messages": []})["messages"]
                 if m["message_id"] == int(message_id) and m["direction"] == "out"]
        if not found:
            raise ValueError(f"no bot message {message_id} in chat {key}")
        query_id = f"{self._next_update}{int(message_id):04d}"
        self.callbacks[query_id] = {"chat_id": found[0]["chat_id"], "data": data, "answered": False}
        return self._push({"callback_query": {
            "id": query_id, "from": self._user(key, user_id, language), "chat_instance": f"ci{key}", "data": data,
            "message": self._message_object(key, found[0])}})

    def _chat_object(self, key: str) -> dict:
        chat = self._chat(key)
        extra = {"first_name": f"User {key}"} if chat["type"] == "private" else {"title": f"SMART {key}"}
        return {"id": chat["chat_id"], "type": chat["type"], **extra}

    def _message_object(self, key: str, m: dict) -> dict:
        result = {"message_id": m["message_id"], "from": self.bot, "chat": self._chat_object(key),
                  "date": int(m["date"]), "text": m["text"]}
        if m.get("reply_markup"):
            result["reply_markup"] = m["reply_markup"]
        if m.get("edited_at"):
            result["edit_date"] = int(m["edited_at"])
        return result

    def _state(self) -> dict:
        chats = [{k: v for k, v in c.items() if k not in ("sent", "next_id")} for c in self.chats.values()]
        return {"bot": self.bot, "url": self.url, "faults": self.faults, "chat_faults": self.chat_faults,
                "chats": chats, "pending_updates": len(self.updates), "callbacks": self.callbacks,
                "commands": self.commands}

    # ---- HTTP ----------------------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/") if p]
        if parts and parts[0].startswith("bot") and len(parts) == 2:
            return await self._bot(parts[0][3:], parts[1], request)
        if parts and parts[0] == "control":
            return await control(self, parts[1:], request)
        if not parts and request.method in ("GET", "HEAD"):
            return html(telegram_html.page(self._state(), request.query.get("lang", "ru")))
        if len(parts) == 1 and parts[0] in ("press", "say") and request.method == "POST":
            return await self._page_action(parts[0], request.form)
        return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    async def _page_action(self, action: str, form: dict) -> Response:
        """The page's forms: press a button of a bot message, or write to the bot, as a person would."""
        lang = "en" if form.get("lang") == "en" else "ru"
        try:
            if action == "press":
                await self.add_callback_update(form.get("chat_id", ""), int(form.get("message_id", 0)),
                                               form.get("data", ""), language=lang)
            elif form.get("text", "").strip():
                await self.add_message_update(form.get("chat_id", ""), form["text"].strip(), language=lang)
        except ValueError as exc:
            return html(f"<p>{exc}</p><p><a href='/?lang={lang}'>←</a></p>", 400)
        return Response(303, [("Location", f"/?lang={lang}")], b"")

    async def _bot(self, token: str, method: str, request: Request) -> Response:
        if token != self.token:
            return json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        try:
            params = dict(request.query) | dict(request.form)
            if request.body and request.headers.get("content-type", "").startswith("application/json"):
                params |= json.loads(request.body)
            result = await call(self, method.lower(), params)
        except ApiError as exc:
            answer = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                answer["parameters"] = {"retry_after": int(math.ceil(exc.retry_after))}
            if exc.code == 502:
                return html("<html><body><h1>502 Bad Gateway</h1>nginx</body></html>", 502)
            return json_response(answer, exc.code)
        except (ValueError, TypeError) as exc:
            return json_response({"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}, 400)
        return json_response({"ok": True, "result": result})
