"""An SMTP sink on loopback (aiosmtpd): keeps every message it accepts, optionally in a Maildir too.

    sink = MailSink(port=0, maildir=Path("smart-data/mail")).start()
    ... send to 127.0.0.1:sink.port ...
    sink.messages()[-1].subject
    sink.set_fault("refuse_all")                   # 451 to every recipient (transient)
    sink.set_fault("reject_recipient", ["x@y.ru"])  # 550 to these addresses (permanent)
    sink.set_fault("disconnect")                   # drop each connection at MAIL FROM (nothing kept)
    sink.set_fault("lose_reply")                   # keep the message, drop the connection before "250"
    sink.set_fault("down")                         # stop listening (connection refused)
    sink.duplicates()                              # {Message-ID: copies} of messages accepted twice or more
    sink.stop()

`lose_reply` is the classic way SMTP duplicates mail: the sender cannot know the message arrived and
sends it again. A sender that keeps the Message-ID makes the copies recognisable; `unique_messages()`
is what a mail store that collapses equal Message-IDs shows.

Open the Maildir with any mail client (mutt -f smart-data/mail) to read what the demo sent.
"""
import asyncio
import logging
import mailbox
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

from smart.simulator.loopthread import LoopThread

FAULTS = ("refuse_all", "reject_recipient", "disconnect", "lose_reply", "down")
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO


@dataclass
class ReceivedMail:
    """One accepted message: the envelope, the parsed message and its parts, decoded."""
    envelope_from: str
    envelope_to: list[str]
    raw: bytes
    message: EmailMessage
    received_at: datetime
    headers: dict = field(default_factory=dict)  # decoded values; a repeated header keeps its first value

    @classmethod
    def parse(cls, envelope_from: str, envelope_to: list[str], raw: bytes) -> "ReceivedMail":
        message = BytesParser(policy=policy.default).parsebytes(raw)
        headers = {}
        for name, value in message.items():
            headers.setdefault(name, str(value))
        return cls(envelope_from, list(envelope_to), raw, message, datetime.now(timezone.utc), headers)

    @property
    def from_(self) -> str:
        return self.headers.get("From", "")

    @property
    def to(self) -> str:
        return self.headers.get("To", "")

    @property
    def subject(self) -> str:
        return self.headers.get("Subject", "")

    @property
    def message_id(self) -> str:
        return self.headers.get("Message-ID", "").strip()

    @property
    def text(self) -> str | None:
        return self._part("plain")

    @property
    def html(self) -> str | None:
        return self._part("html")

    def _part(self, subtype: str) -> str | None:
        part = self.message.get_body(preferencelist=(subtype,))
        return None if part is None else part.get_content()


class _Handler:
    """aiosmtpd hooks: refuse recipients by fault, keep the DATA."""

    def __init__(self, sink: "MailSink"):
        self.sink = sink

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str, options):
        if self.sink.disconnect:
            server.transport.abort()  # the client sees the connection drop: nothing was accepted
            return "421 4.4.2 Connection dropped"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options):
        if self.sink.refuse_all:
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        if address.lower() in self.sink.reject_recipients:
            return "550 5.1.1 Mailbox unavailable: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope):
        if self.sink.refuse_all:
            return "451 4.3.0 Try again later"
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        self.sink._keep(ReceivedMail.parse(envelope.mail_from, envelope.rcpt_tos, raw))
        if self.sink.lose_reply:
            server.transport.abort()  # accepted, but the sender never hears so
        return "250 2.0.0 OK: queued"


class MailSink:
    """SMTP on `host:port` (port 0 = a free port, kept across down/up) in a thread of its own."""

    def __init__(self, port: int = 0, maildir: Path | None = None, host: str = "127.0.0.1"):
        self.host, self.port = host, port
        self.maildir = None if maildir is None else mailbox.Maildir(str(maildir), create=True)
        self.refuse_all = self.disconnect = self.lose_reply = False
        self.reject_recipients: set[str] = set()
        self._messages: list[ReceivedMail] = []
        self._lock = threading.Condition()
        self._runner = LoopThread("mailsink")
        self._server: asyncio.AbstractServer | None = None

    # ---- life --------------------------------------------------------------------------------------

    def start(self) -> "MailSink":
        """Listen; returns once the port accepts connections."""
        if self._runner.running:
            return self
        self._runner.start()
        try:
            self._call(self._listen())
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self._runner.stop(self._shutdown())

    def __enter__(self) -> "MailSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def down(self) -> bool:
        return self._server is None

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.get_running_loop().create_server(
                lambda: SMTP(_Handler(self), hostname="smart-mailsink", ident="SMART mail sink",
                             enable_SMTPUTF8=True),
                self.host, self.port, reuse_address=True)
            self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def _shutdown(self) -> None:
        """Stop listening and end the SMTP sessions still open."""
        await self._close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _call(self, coro):
        return self._runner.call(coro, 10)

    # ---- faults ------------------------------------------------------------------------------------

    def set_fault(self, name: str, value=True) -> None:
        """refuse_all, disconnect, lose_reply on/off; reject_recipient with an address or a list (False/None
        clears); down on/off."""
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
        if name in ("refuse_all", "disconnect", "lose_reply"):
            setattr(self, name, bool(value))
        elif name == "reject_recipient":
            values = [] if not value else [value] if isinstance(value, str) else list(value)
            self.reject_recipients = {v.lower() for v in values}
        else:
            self._call(self._close() if value else self._listen())

    def clear_faults(self) -> None:
        self.refuse_all = self.disconnect = self.lose_reply = False
        self.reject_recipients = set()
        if self.down and self._runner.running:
            self.set_fault("down", False)

    # ---- messages ----------------------------------------------------------------------------------

    def _keep(self, mail: ReceivedMail) -> None:
        if self.maildir is not None:
            self.maildir.add(mail.raw)
        with self._lock:
            self._messages.append(mail)
            self._lock.notify_all()

    def messages(self) -> list[ReceivedMail]:
        """Every message accepted so far, oldest first."""
        with self._lock:
            return list(self._messages)

    def unique_messages(self) -> list[ReceivedMail]:
        """The first copy of each Message-ID (a message without one always counts), oldest first."""
        seen, found = set(), []
        for mail in self.messages():
            if mail.message_id and mail.message_id in seen:
                continue
            seen.add(mail.message_id)
            found.append(mail)
        return found

    def duplicates(self) -> dict[str, int]:
        """{Message-ID: copies} for every Message-ID accepted more than once."""
        counts: dict[str, int] = {}
        for mail in self.messages():
            if mail.message_id:
                counts[mail.message_id] = counts.get(mail.message_id, 0) + 1
        return {mid: n for mid, n in counts.items() if n > 1}

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def wait_for(self, count: int, timeout: float = 5) -> list[ReceivedMail]:
        """Block until at least `count` messages arrived (for senders running in another process)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self._messages)} of {count} messages arrived in {timeout} s")
                self._lock.wait(left)
            return list(self._messages)
