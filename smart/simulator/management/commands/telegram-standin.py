"""`smart telegram-standin`: a Telegram Bot API stand-in on loopback (smart/simulator/telegram.py).

    smart telegram-standin serve [--port 8081] [--control-port 8082] [--token 123456:TEST-TOKEN]
                                 [--no-rate-limits]
    smart telegram-standin fault bot_blocked on --chat 42      # or: rate_limit 30, server_error 502, down on
    smart telegram-standin say 42 "/start ABC123"               # the user writes to the bot
    smart telegram-standin press 42 7 ack:17                    # the user presses a button of message 7
    smart telegram-standin messages [42]

Point SMART at it with SMART_TELEGRAM_API=http://127.0.0.1:8081 and SMART_TELEGRAM_TOKEN=<token>; watch the
messages arrive at http://127.0.0.1:8081/ (or the control port, which stays up while the API is "down").
"""
import asyncio
import os

from django.core.management.base import BaseCommand

from smart.simulator.control_client import control_request

DEFAULT_CONTROL = os.environ.get("SMART_TELEGRAM_STANDIN_CONTROL", "http://127.0.0.1:8082")


class Command(BaseCommand):
    help = "Serve a Telegram Bot API stand-in, switch its faults, play the user, list the messages."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        serve = actions.add_parser("serve", help="run the stand-in until Ctrl+C")
        serve.add_argument("--port", type=int, default=8081, help="Bot API port (0 = a free port)")
        serve.add_argument("--control-port", type=int, default=8082, help="control port (0 = a free port)")
        serve.add_argument("--token", default=os.environ.get("SMART_TELEGRAM_TOKEN") or "123456:TEST-TOKEN")
        serve.add_argument("--no-rate-limits", action="store_true", help="never answer 429 on its own")
        fault = actions.add_parser("fault", help="switch a fault, globally or for one chat")
        fault.add_argument("fault", help="rate_limit, server_error, chat_not_found, bot_blocked, down")
        fault.add_argument("value", nargs="?", default="on", help="on, off, or a number (rate_limit, server_error)")
        fault.add_argument("--chat")
        say = actions.add_parser("say", help="the user sends a text to the bot")
        say.add_argument("chat")
        say.add_argument("text")
        press = actions.add_parser("press", help="the user presses an inline button")
        press.add_argument("chat")
        press.add_argument("message_id", type=int)
        press.add_argument("data")
        messages = actions.add_parser("messages", help="list the messages, newest last")
        messages.add_argument("chat", nargs="?")
        for sub in (fault, say, press, messages):
            sub.add_argument("--control", default=DEFAULT_CONTROL)

    def handle(self, *args, **opts):
        return getattr(self, f"_{opts['action']}")(opts)

    def _serve(self, opts):
        from smart.simulator.telegram import TelegramStandin

        standin = TelegramStandin(token=opts["token"], port=opts["port"], control_port=opts["control_port"],
                                  rate_limits=not opts["no_rate_limits"])

        async def run():
            await standin.start()
            self.stdout.write(f"Telegram stand-in: Bot API {standin.url} token {standin.token}\n"
                              f"  page:    {standin.url}/  (and {standin.control_url}/)\n"
                              f"  control: {standin.control_url}/control\n"
                              f"  SMART:   SMART_TELEGRAM_API={standin.url} SMART_TELEGRAM_TOKEN={standin.token}\n"
                              "  (Ctrl+C stops)")
            self.stdout.flush()
            try:
                await asyncio.Event().wait()
            finally:
                await standin.aclose()

        try:
            asyncio.run(run())
        except KeyboardInterrupt:
            pass
        self.stdout.write("Telegram stand-in stopped")

    def _fault(self, opts):
        value = {"on": True, "off": False}.get(opts["value"].lower(), opts["value"])
        payload = {"faults": {opts["fault"]: value}}
        if opts["chat"]:
            payload["chat_id"] = opts["chat"]
        answer = self._request("POST", opts, "/control/faults", json=payload)
        shown = ", ".join(k if v is True else f"{k}={v:g}" for k, v in answer["faults"].items()) or "none"
        self.stdout.write(f"{'chat ' + opts['chat'] if opts['chat'] else 'all chats'}: faults {shown}")

    def _say(self, opts):
        update = self._request("POST", opts, f"/control/users/{opts['chat']}/send", json={"text": opts["text"]})
        self.stdout.write(f"update {update['update_id']} queued")

    def _press(self, opts):
        update = self._request("POST", opts, f"/control/users/{opts['chat']}/press",
                               json={"message_id": opts["message_id"], "data": opts["data"]})
        self.stdout.write(f"update {update['update_id']} queued (callback {update['callback_query']['id']})")

    def _messages(self, opts):
        chats = self._request("GET", opts, "/control/chats")["chats"]
        for chat in chats:
            if opts["chat"] and str(chat["chat_id"]) != opts["chat"]:
                continue
            self.stdout.write(f"== chat {chat['chat_id']} ({chat['type']})")
            for m in chat["messages"]:
                arrow = "bot ->" if m["direction"] == "out" else "<- user"
                buttons = [b.get("text") for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
                           for b in row]
                self.stdout.write(f"  #{m['message_id']} {m['time']} {arrow} {m['text']}"
                                  + (f"  [{' | '.join(buttons)}]" if buttons else ""))

    @staticmethod
    def _request(method: str, opts: dict, path: str, **kwargs) -> dict:
        return control_request(method, opts["control"].rstrip("/") + path, "Telegram stand-in control", **kwargs)
