import asyncio
import threading

import pytest

from smart.notify.transports.telegram import TelegramClient
from smart.simulator.mailsink import MailSink
from smart.simulator.standin.http import Listener, Request, Response
from smart.simulator.telegram import TelegramStandin

TOKEN = "123456:TEST-TOKEN-abc"


@pytest.fixture
def sink(tmp_path):
    """An SMTP sink on a free loopback port, writing a Maildir under tmp_path."""
    s = MailSink(port=0, maildir=tmp_path / "mail").start()
    yield s
    s.stop()


@pytest.fixture
def tg():
    standin = TelegramStandin(token=TOKEN, port=0).start_in_thread()
    yield standin
    standin.stop()


@pytest.fixture
def client(tg):
    c = TelegramClient(tg.url, TOKEN, timeout=5)
    yield c
    c.close()


class Receiver:
    """A webhook receiver: answers `status` (with `headers`) and keeps every request."""

    def __init__(self):
        self.status, self.headers, self.requests = 204, [], []
        self.url = ""

    async def handle(self, request: Request) -> Response:
        self.requests.append(request)
        return Response(self.status, list(self.headers), b"")


@pytest.fixture
def receiver():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    peer = Receiver()
    listener = Listener(peer.handle)
    port = asyncio.run_coroutine_threadsafe(listener.start(), loop).result(5)
    peer.url = f"http://127.0.0.1:{port}/hooks/smart"
    yield peer
    asyncio.run_coroutine_threadsafe(listener.stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()
