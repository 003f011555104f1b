"""Telegram Bot API client (httpx, sync): send, edit, answer button presses, poll updates.

Answers map to typed errors: 429 (with parameters.retry_after), 5xx, timeouts and connection errors are
transient; 400 (chat not found, bad markup), 401 (wrong token), 403 (bot blocked or kicked) and 404 are
permanent. The token is part of every URL, so it is scrubbed from every error text.
"""
import html
import re
from collections.abc import Sequence

import httpx
from django.conf import settings

from .errors import PermanentError, TransientError

MAX_TEXT = 4096  # characters of visible text, after HTML tags and entities
MAX_CALLBACK_DATA = 64  # bytes
_TAG = re.compile(r"<[^>]*>")

Button = tuple[str, str] | dict  # (label, callback data or http(s) URL), or a raw InlineKeyboardButton


def visible_length(text: str, parse_mode: str | None = "HTML") -> int:
    """The length Telegram checks against 4096: tags and entities do not count in HTML mode."""
    if parse_mode == "HTML":
        return len(html.unescape(_TAG.sub("", text)))
    return len(text)


def inline_keyboard(buttons: Sequence[Sequence[Button]] | Sequence[Button]) -> dict:
    """reply_markup from rows of buttons (or one flat row): ("Ack", "ack:42") or ("Open", "https://…")."""
    rows = [buttons] if buttons and _is_button(buttons[0]) else buttons
    keyboard = []
    for row in rows:
        line = []
        for button in row:
            if isinstance(button, dict):
                line.append(button)
                continue
            label, value = button
            if value.startswith(("http://", "https://", "tg://")):
                line.append({"text": label, "url": value})
            else:
                if not 1 <= len(value.encode()) <= MAX_CALLBACK_DATA:
                    raise ValueError(f"callback data must be 1-{MAX_CALLBACK_DATA} bytes: {value!r}")
                line.append({"text": label, "callback_data": value})
        keyboard.append(line)
    return {"inline_keyboard": keyboard}


def _is_button(item) -> bool:
    if isinstance(item, dict):
        return True
    return isinstance(item, tuple | list) and len(item) == 2 and all(isinstance(v, str) for v in item)


class TelegramClient:
    """One bot. `base_url` defaults to SMART_TELEGRAM_API, `token` to SMART_TELEGRAM_TOKEN."""

    def __init__(self, base_url: str | None = None, token: str | None = None, timeout: float | None = None):
        self.base_url = (base_url or getattr(settings, "SMART_TELEGRAM_API", "https://api.telegram.org")).rstrip("/")
        self.token = token if token is not None else getattr(settings, "SMART_TELEGRAM_TOKEN", "")
        self.timeout = float(timeout if timeout is not None else getattr(settings, "SMART_HTTP_TIMEOUT", 10))
        self._http = httpx.Client(timeout=self.timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "TelegramClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- methods -------------------------------------------------------------------------------------

    def send_message(self, chat_id: int | str, text: str, buttons=None, *, parse_mode: str | None = "HTML",
                     disable_preview: bool = True) -> int:
        """Send `text` (Telegram HTML by default) with optional inline buttons; returns the message_id."""
        params = self._text_params(text, buttons, parse_mode, disable_preview)
        return self.call("sendMessage", chat_id=chat_id, **params)["message_id"]

    def edit_message(self, chat_id: int | str, message_id: int, text: str, buttons=None, *,
                     parse_mode: str | None = "HTML", disable_preview: bool = True) -> None:
        """Replace a sent message's text and buttons (buttons=None removes them). An unchanged edit is fine."""
        params = self._text_params(text, buttons, parse_mode, disable_preview)
        params.setdefault("reply_markup", {"inline_keyboard": []})
        try:
            self.call("editMessageText", chat_id=chat_id, message_id=message_id, **params)
        except PermanentError as exc:
            if "message is not modified" not in exc.reason:
                raise

    def answer_callback(self, callback_query_id: str, text: str | None = None, show_alert: bool = False) -> None:
        """Stop the button's spinner, optionally with a toast (or an alert box) for the user."""
        params = {"callback_query_id": callback_query_id, "show_alert": show_alert}
        if text:
            params["text"] = text[:200]
        self.call("answerCallbackQuery", **params)

    def get_updates(self, offset: int | None = None, timeout: float = 0) -> list[dict]:
        """Updates from `offset` on (which confirms the ones before it), long-polling up to `timeout` s."""
        params = {"timeout": int(timeout)}
        if offset is not None:
            params["offset"] = offset
        return self.call("getUpdates", http_timeout=self.timeout + timeout, **params)

    def get_me(self) -> dict:
        return self.call("getMe")

    def set_commands(self, commands: Sequence[tuple[str, str]]) -> None:
        self.call("setMyCommands", commands=[{"command": c, "description": d} for c, d in commands])

    # ---- plumbing ------------------------------------------------------------------------------------

    @staticmethod
    def _text_params(text: str, buttons, parse_mode: str | None, disable_preview: bool) -> dict:
        length = visible_length(text, parse_mode)
        if length > MAX_TEXT:
            raise ValueError(f"message text is {length} characters, Telegram takes at most {MAX_TEXT}")
        if not text.strip():
            raise ValueError("message text is empty")
        params = {"text": text, "disable_web_page_preview": disable_preview}
        if parse_mode:
            params["parse_mode"] = parse_mode
        if buttons:
            params["reply_markup"] = inline_keyboard(buttons)
        return params

    def call(self, method: str, *, http_timeout: float | None = None, **params):
        """POST one Bot API method with a JSON body; returns `result` or raises a typed error."""
        url = f"{self.base_url}/bot{self.token}/{method}"
        try:
            response = self._http.post(url, json=params, timeout=http_timeout or self.timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # the request never left
            raise TransientError(self._scrub(f"Telegram {method}: {type(exc).__name__}: {exc}")) from None
        except httpx.TimeoutException as exc:  # sent, no answer: Telegram may have acted on it
            raise TransientError(self._scrub(f"Telegram {method}: timeout ({type(exc).__name__})"),
                                 outcome_unknown=True) from None
        except httpx.HTTPError as exc:  # reset or protocol error after sending: the same doubt
            raise TransientError(self._scrub(f"Telegram {method}: {type(exc).__name__}: {exc}"),
                                 outcome_unknown=True) from None
        status = response.status_code
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        if status == 200 and answer.get("ok") is True:
            return answer.get("result")
        code = answer.get("error_code") or status
        description = self._scrub(str(answer.get("description") or response.reason_phrase or "no description"))
        reason = f"Telegram {method}: {code} {description}"
        if code == 429:
            retry_after = (answer.get("parameters") or {}).get("retry_after")
            if retry_after is None and response.headers.get("retry-after", "").isdigit():
                retry_after = int(response.headers["retry-after"])
            raise TransientError(reason, retry_after=None if retry_after is None else float(retry_after), code=429)
        if code >= 500 or status >= 500 or status == 200:  # 200 without ok: a broken proxy, not Telegram
            raise TransientError(reason, code=code)
        raise PermanentError(reason, code=code)

    def _scrub(self, text: str) -> str:
        return text.replace(self.token, "<token>") if self.token else text
