import pytest

from tests.alerts.conftest import fleet  # the same registry

__all__ = ["fleet"]


@pytest.fixture
def sink(settings):
    from smart.simulator.mailsink import MailSink

    with MailSink() as mail:
        settings.SMART_SMTP_HOST, settings.SMART_SMTP_PORT = "127.0.0.1", mail.port
        yield mail


@pytest.fixture
def telegram(settings):
    from smart.simulator.telegram import TelegramStandin

    with TelegramStandin(token="123456:TEST") as bot:
        settings.SMART_TELEGRAM_API, settings.SMART_TELEGRAM_TOKEN = bot.url, "123456:TEST"
        yield bot
