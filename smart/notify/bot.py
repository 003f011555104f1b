"""The Telegram bot's inbound side: a poller (getUpdates) that binds chats with one-time codes
(`/start <code>`, codes from `smart telegram-bind`) and handles the Acknowledge / Snooze buttons of
FIRING messages.

Button data is `<action>:<notification id>:<mac>`: the MAC (HMAC of the secret key) stops forged data,
and the press counts only when it comes from the chat the notification was sent to, so nobody can act
on another dealer's alerts by crafting a callback in their own chat.

The getUpdates offset is kept in BotState after each update, so a restarted poller does not handle old
updates again; an update whose handling died half-way is handled again, which is harmless because
every handler is idempotent (a second acknowledgement or binding of the same chat changes nothing).
Run one poller per bot: Telegram allows one getUpdates consumer at a time.
"""
import logging
import secrets
import threading
from datetime import timedelta

from django.db import DatabaseError, close_old_connections, connections, transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from smart.alerts import actions

from . import render
from .models import BotState, Channel, Notification, Route, TelegramBinding
from .transports import PermanentError, TransientError
from .transports.telegram import TelegramClient

log = logging.getLogger("smart.notify.bot")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LENGTH = 10
BINDING_TTL = timedelta(hours=24)
BUTTONS = {"ack": "a", "snooze1h": "s"}  # action -> the short name in callback data
_BY_SHORT = {short: action for action, short in BUTTONS.items()}


# ---- button data ---------------------------------------------------------------------------------------

def _mac(short: str, notification_id: int) -> str:
    return salted_hmac("smart.notify.bot.callback", f"{short}:{notification_id}").hexdigest()[:16]


def callback_data(action: str, notification_id: int) -> str:
    """The callback data of a button (at most 64 bytes): action, notification and a MAC."""
    short = BUTTONS[action]
    return f"{short}:{notification_id}:{_mac(short, notification_id)}"


def parse_callback(data: str) -> tuple[str, int] | None:
    """(action, notification id) of genuine button data, else None."""
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] not in _BY_SHORT or not parts[1].isdigit():
        return None
    if not constant_time_compare(parts[2], _mac(parts[0], int(parts[1]))):
        return None
    return _BY_SHORT[parts[0]], int(parts[1])


def chat_key(chat_id) -> str:
    text = str(chat_id).strip()
    return str(int(text)) if text.lstrip("-").isdigit() else text


# ---- binding codes -------------------------------------------------------------------------------------

def create_binding(dealer, route: Route | None = None, ttl: timedelta = BINDING_TTL, now=None) -> TelegramBinding:
    """A one-time code that binds the chat it is sent from (`/start <code>`) to `route`, or to a new
    Telegram route of `dealer`."""
    if route is not None and (route.dealer_id != dealer.pk or route.channel != Channel.TELEGRAM):
        raise ValueError("the route must be a Telegram route of the same dealer")
    now = now or timezone.now()
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return TelegramBinding.objects.create(dealer=dealer, route=route, code=code, created_at=now, expires_at=now + ttl)


def bind_chat(code: str, chat: dict, language: str, now=None) -> tuple[str, TelegramBinding | None]:
    """Bind `chat` (a Telegram Chat object) with `code`: ("bound" | "already" | "used" | "expired" |
    "unknown", the binding)."""
    now = now or timezone.now()
    chat_id = chat_key(chat["id"])
    with transaction.atomic():
        binding = TelegramBinding.objects.select_for_update().filter(code=code.strip().upper()).first()
        if binding is None:
            return "unknown", None
        if binding.bound_at is not None:
            return ("already" if binding.chat_id == chat_id else "used"), binding
        if binding.expires_at <= now:
            return "expired", binding
        title = _chat_title(chat)
        route = binding.route
        if route is None:
            route = Route.objects.create(dealer=binding.dealer, name=f"Telegram: {title}"[:200],
                                         channel=Channel.TELEGRAM, target=chat_id, max_priority="P2",
                                         language=language)
        else:
            route.target = chat_id
            route.save(update_fields=["target"])
        binding.route, binding.chat_id, binding.chat_title, binding.bound_at = route, chat_id, title[:300], now
        binding.save(update_fields=["route", "chat_id", "chat_title", "bound_at"])
    return "bound", binding


def _chat_title(chat: dict) -> str:
    if chat.get("title"):
        return chat["title"]
    name = " ".join(p for p in (chat.get("first_name"), chat.get("last_name")) if p)
    return name or (f"@{chat['username']}" if chat.get("username") else str(chat["id"]))


def _person(user: dict | None) -> str:
    user = user or {}
    name = " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p) or str(user.get("id", "?"))
    return f"{name} (@{user['username']})" if user.get("username") else name


def _language(user: dict | None) -> str:
    """Russian unless the person's Telegram speaks English."""
    return "en" if str((user or {}).get("language_code") or "").startswith("en") else "ru"


# ---- the poller ----------------------------------------------------------------------------------------

class BotPoller(threading.Thread):
    """Long-polls getUpdates and handles each update; `run_once()` handles one batch (tests, CLI)."""

    def __init__(self, poll_timeout: float = 25, base_url: str | None = None, token: str | None = None):
        super().__init__(name="telegram-bot", daemon=True)
        self.poll_timeout = poll_timeout
        self.stop = threading.Event()
        self.client = TelegramClient(base_url, token)
        bot_id = self.client.token.split(":")[0] or "default"
        self.state_name = f"telegram.offset.{bot_id}"[:64]

    # offset --------------------------------------------------------------------------------------------

    def offset(self) -> int | None:
        state = BotState.objects.filter(name=self.state_name).first()
        return (state.value or {}).get("offset") if state else None

    def _save_offset(self, offset: int) -> None:
        BotState.objects.update_or_create(name=self.state_name, defaults={"value": {"offset": offset}})

    # loop ----------------------------------------------------------------------------------------------

    def run_once(self, timeout: float = 0) -> int:
        """Fetch the updates after the stored offset (waiting up to `timeout` s for one), handle them and
        move the offset past each; returns how many were handled."""
        updates = self.client.get_updates(offset=self.offset(), timeout=timeout)
        for update in updates:
            try:
                self.handle(update)
            except DatabaseError:
                raise  # not handled: the offset stays, the update comes again
            except (TransientError, PermanentError) as exc:
                log.warning("update %s: Telegram answered %s", update.get("update_id"), exc)
            except Exception:  # noqa: BLE001 - one bad update must not block every later one
                log.exception("update %s could not be handled", update.get("update_id"))
            self._save_offset(int(update["update_id"]) + 1)
        return len(updates)

    def run(self) -> None:
        failures = 0
        try:
            while not self.stop.is_set():
                try:
                    close_old_connections()
                    self.run_once(self.poll_timeout)
                    failures = 0
                except PermanentError as exc:  # wrong token: a person must fix the settings
                    log.error("Telegram bot stopped polling for a minute: %s", exc)
                    self.stop.wait(60)
                except Exception:  # noqa: BLE001 - Telegram or the database is away: back off and retry
                    failures += 1
                    log.warning("Telegram bot poll failed (%d in a row)", failures, exc_info=failures == 1)
                    self.stop.wait(min(60, 2 ** failures))
        finally:
            self.client.close()
            connections.close_all()

    # updates -------------------------------------------------------------------------------------------

    def handle(self, update: dict) -> None:
        if "callback_query" in update:
            self.on_button(update["callback_query"])
        elif "message" in update:
            self.on_message(update["message"])

    def on_message(self, message: dict) -> None:
        command, _sep, argument = (message.get("text") or "").strip().partition(" ")
        if command.split("@")[0] != "/start":
            return  # the bot only listens to /start; anything else in a group is people talking
        language = _language(message.get("from"))
        code = argument.strip()
        status, binding = bind_chat(code, message["chat"], language) if code else ("missing", None)
        if status in ("bound", "already"):
            language = binding.route.language if binding.route else language
        with translation.override(language):
            self.client.send_message(message["chat"]["id"], _binding_reply(status, binding), parse_mode=None)
        log.info("chat %s: /start %s -> %s", message["chat"].get("id"), code[:4] + "…" if code else "", status)

    def on_button(self, query: dict) -> None:
        message = query.get("message") or {}
        chat_id = (message.get("chat") or {}).get("id")
        parsed = parse_callback(query.get("data") or "")
        notification = None
        if parsed is not None:
            notification = Notification.objects.filter(pk=parsed[1], channel=Channel.TELEGRAM).first()
        if notification is None or chat_id is None or chat_key(notification.target) != chat_key(chat_id):
            log.warning("refused a button press in chat %s: %r", chat_id, (query.get("data") or "")[:64])
            with translation.override(_language(query.get("from"))):
                self._answer(query["id"], _("This button does not belong to this chat: nothing was changed."),
                             show_alert=True)
            return
        action = parsed[0]
        with translation.override(notification.language):
            alerts = actions.alerts_of(notification)
            outcomes = actions.perform_for({"a": action}, notification, alerts, via="telegram")
            done = any(o.done for o in outcomes)
            self._answer(query["id"], _toast(action, outcomes))
            if done:
                self._show(notification, message, action, query.get("from"))
        log.info("chat %s: %s on notification %s by %s: %s", chat_id, action, notification.pk,
                 _person(query.get("from")), [o.reason or "done" for o in outcomes])

    def _answer(self, query_id: str, text: str, show_alert: bool = False) -> None:
        """Answer a press (stops the button's spinner); a press too old to answer is still acted on."""
        try:
            self.client.answer_callback(query_id, text, show_alert=show_alert)
        except (PermanentError, TransientError) as exc:
            log.info("could not answer button press %s: %s", query_id, exc)

    def _show(self, notification, message: dict, action: str, user: dict | None) -> None:
        """Edit the pressed message: who did what, and the buttons still useful."""
        alerts = actions.alerts_of(notification)
        now = timezone.localtime()
        if action == "ack":
            note = _("Acknowledged by %(name)s at %(time)s") % {"name": _person(user), "time": now.strftime("%d.%m %H:%M")}
            buttons = None
        else:
            until = max((a.snoozed_until for a in alerts if a.snoozed_until), default=now)
            note = _("Snoozed until %(time)s by %(name)s") % {"name": _person(user),
                                                               "time": timezone.localtime(until).strftime("%d.%m %H:%M")}
            pending = any(a.acknowledged_at is None for a in alerts)
            buttons = render.telegram_buttons(notification, alerts, ("ack",) if pending else ())
        try:
            self.client.edit_message(message["chat"]["id"], message["message_id"],
                                     render.telegram(notification, alerts, note=note), buttons)
        except PermanentError as exc:  # too old to edit, deleted: the toast already told the person
            log.info("could not edit message %s: %s", message.get("message_id"), exc)


def _toast(action: str, outcomes: list) -> str:
    if any(o.done for o in outcomes):
        return pgettext("alert action", "Acknowledged") if action == "ack" else _("Snoozed for 1 hour")
    reasons = {o.reason for o in outcomes}
    if "already" in reasons:
        return _("Already acknowledged") if action == "ack" else _("Already snoozed")
    return _("Nothing to do: the alert is no longer firing")


def _binding_reply(status: str, binding: TelegramBinding | None) -> str:
    if status == "bound":
        return _("This chat is now connected to SMART: alerts of %(dealer)s (route “%(route)s”) will come "
                 "here.") % {"dealer": binding.dealer.display_name or binding.dealer, "route": binding.route.name}
    if status == "already":
        return _("This chat is already connected to SMART (%(dealer)s).") % {
            "dealer": binding.dealer.display_name or binding.dealer}
    if status == "used":
        return _("This code has already been used in another chat. Ask your SMART administrator for a new code.")
    if status == "expired":
        return _("This code has expired. Ask your SMART administrator for a new code.")
    if status == "unknown":
        return _("Unknown code. Check it, or ask your SMART administrator for a new code.")
    return _("To connect this chat to SMART, send /start followed by the code from your SMART administrator.")
