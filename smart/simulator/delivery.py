"""The demo's alert delivery: a local SMTP sink (messages also written to a Maildir in the data dir)
and the Telegram stand-in, with the demo dealer's routes pointed at them."""
import logging

from django.conf import settings

log = logging.getLogger("smart.demo")

DEMO_TOKEN = "7000001:DEMO-SMART-BOT"
DEMO_CHAT = "-1001000000001"  # the dealer's chat "SMART.kodeks"
PORTS = {"smtp": 2525, "telegram": 8081, "telegram_control": 8082}


def start_on_port(factory, preferred: int):
    """`factory(port)` on the preferred port (the CLIs' defaults), or on a free one if that is taken."""
    for port in (preferred, 0):
        try:
            return factory(port)
        except OSError:
            continue
    raise OSError("no free port")


def start(dealer) -> dict:
    from smart.notify.models import Channel, Route
    from smart.simulator.mailsink import MailSink
    from smart.simulator.telegram import TelegramStandin

    maildir = settings.DATA_DIR / "mail"
    sink = start_on_port(lambda port: MailSink(port=port, maildir=maildir).start(), PORTS["smtp"])
    bot = start_on_port(lambda port: TelegramStandin(token=DEMO_TOKEN, port=port, control_port=port and PORTS["telegram_control"])
                 .start_in_thread(), PORTS["telegram"])
    settings.SMART_SMTP_HOST, settings.SMART_SMTP_PORT = "127.0.0.1", sink.port
    settings.SMART_TELEGRAM_API, settings.SMART_TELEGRAM_TOKEN = bot.url, DEMO_TOKEN
    wanted = [
        ("Техподдержка: всё", Channel.EMAIL, "support@demo-dealer.ru", False, "P4", []),
        ("Дежурный: P1–P2 в Telegram", Channel.TELEGRAM, DEMO_CHAT, False, "P2", []),
        ("Менеджеры: их клиенты", Channel.EMAIL, "", True, "P4", ["usage", "online_billing", "licence"]),
    ]
    routes = {}
    for name, channel, target, to_manager, max_priority, categories in wanted:
        routes[channel], _ = Route.objects.update_or_create(dealer=dealer, name=name, defaults={
            "channel": channel, "target": target, "to_manager": to_manager, "max_priority": max_priority,
            "categories": categories})
    from smart.notify.bot import create_binding

    # the duty route's chat is bound the way a dealer binds it: `/start <code>` written to the bot
    binding = create_binding(dealer, routes[Channel.TELEGRAM])
    return {"sink": sink, "bot": bot, "maildir": maildir, "binding": binding.code}


def lines(parts: dict) -> list[str]:
    return [f"mailbox (SMTP sink)          smtp://127.0.0.1:{parts['sink'].port}  → {parts['maildir']}",
            f"Telegram stand-in            {parts['bot'].url}/   (chat {DEMO_CHAT}; buttons Принять / Отложить work there)",
            f"bind the duty chat           write  /start {parts['binding']}  to the bot on that page"]


def stop(parts: dict) -> None:
    parts["bot"].stop()
    parts["sink"].stop()
