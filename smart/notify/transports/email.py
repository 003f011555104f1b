"""E-mail over SMTP (smtplib): a text part, an optional HTML alternative, and the SMTP answer as a typed result.

4xx replies, refused connections and timeouts are transient; 5xx replies are permanent. When the server
refuses only some recipients the message still went to the others: the result lists who was refused.

SMTP has no idempotency: when the connection drops or times out after DATA the message may have been
accepted. A caller that retries passes the same `message_id` again, so that the copies are recognisably
one message (mail stores and clients collapse equal Message-IDs; the SMTP sink counts them).
"""
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid

from django.conf import settings

from .errors import PermanentError, TransientError

# 7bit: bodies travel as quoted-printable or base64, so no relay needs 8BITMIME for Cyrillic text
MAIL_POLICY = policy.SMTP.clone(cte_type="7bit")


@dataclass
class EmailResult:
    message_id: str
    accepted: list[str]
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)  # address -> (SMTP code, reply text)


def smtp_settings() -> dict:
    """The SMART_SMTP_* settings with their defaults."""
    return {
        "host": getattr(settings, "SMART_SMTP_HOST", "127.0.0.1"),
        "port": int(getattr(settings, "SMART_SMTP_PORT", 25)),
        "user": getattr(settings, "SMART_SMTP_USER", "") or "",
        "password": getattr(settings, "SMART_SMTP_PASSWORD", "") or "",
        "starttls": bool(getattr(settings, "SMART_SMTP_STARTTLS", False)),
        "sender": getattr(settings, "SMART_MAIL_FROM", "SMART <alert@smart.local>"),
        "timeout": float(getattr(settings, "SMART_SMTP_TIMEOUT", getattr(settings, "SMART_HTTP_TIMEOUT", 10))),
    }


def make_message_id(key: str, sender: str | None = None) -> str:
    """A Message-ID that is the same every time for `key` (letters, digits, '.', '-'), in the sender's domain."""
    if not key or not all(c.isalnum() or c in ".-_" for c in key):
        raise ValueError(f"a Message-ID key is letters, digits, '.', '-' or '_': {key!r}")
    sender = sender or smtp_settings()["sender"]
    domain = getaddresses([sender])[0][1].rpartition("@")[2] or "smart.local"
    return f"<{key}@{domain}>"


def build_message(to: list[str], subject: str, text: str, html: str | None = None,
                  headers: dict | None = None, *, sender: str, message_id: str | None = None) -> EmailMessage:
    """The MIME message: text/plain, or multipart/alternative with an HTML part; extra headers as given;
    a fresh Message-ID unless `message_id` is given (see make_message_id)."""
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = " ".join(subject.split())  # a line break in a subject would end the header
    msg["Date"] = formatdate(localtime=True)
    domain = getaddresses([sender])[0][1].rpartition("@")[2] or "smart.local"
    msg["Message-ID"] = message_id or make_msgid(domain=domain)
    for name, value in (headers or {}).items():
        if name.lower() in {"from", "to", "subject", "date", "message-id", "cc", "bcc"}:
            raise ValueError(f"header {name} is set by send_email")
        msg[name] = str(value)  # the email package refuses CR/LF inside values
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def send_email(to: list[str], subject: str, text: str, html: str | None = None, headers: dict | None = None,
               *, sender: str | None = None, host: str | None = None, port: int | None = None,
               user: str | None = None, password: str | None = None, starttls: bool | None = None,
               timeout: float | None = None, message_id: str | None = None) -> EmailResult:
    """Send one message to `to`; keyword arguments override the SMART_SMTP_* settings; `message_id`
    keeps the Message-ID of an earlier attempt of the same message.

    Raises TransientError (4xx, refused connection, timeout) or PermanentError (5xx, all recipients
    refused permanently). Returns the Message-ID and the recipients accepted and refused.
    """
    if not to:
        raise ValueError("no recipients")
    conf = smtp_settings()
    overrides = {"host": host, "port": port, "user": user, "password": password, "starttls": starttls,
                 "sender": sender, "timeout": timeout}
    conf.update({k: v for k, v in overrides.items() if v is not None})
    msg = build_message(list(to), subject, text, html, headers, sender=conf["sender"], message_id=message_id)
    envelope_from = getaddresses([conf["sender"]])[0][1]
    envelope_to = [addr for _name, addr in getaddresses(list(to))]  # "Name <a@b>" -> a@b
    where = f"{conf['host']}:{conf['port']}"
    smtp = None
    try:
        with _SMTP(conf["host"], conf["port"], timeout=conf["timeout"]) as smtp:
            if conf["starttls"]:
                smtp.starttls(context=ssl.create_default_context())
            if conf["user"]:
                smtp.login(conf["user"], conf["password"])
            refused = smtp.send_message(msg, from_addr=envelope_from, to_addrs=envelope_to)
    except smtplib.SMTPRecipientsRefused as exc:
        raise _all_refused(exc.recipients) from None
    except smtplib.SMTPResponseException as exc:  # sender refused, data refused, auth failed, 4xx/5xx greeting
        raise _by_code(exc.smtp_code, f"SMTP {where}: {exc.smtp_code} {_reply(exc.smtp_error)}") from None
    except smtplib.SMTPNotSupportedError as exc:  # e.g. STARTTLS or AUTH not offered: configuration
        raise PermanentError(f"SMTP {where}: {exc}") from None
    except ssl.SSLCertVerificationError as exc:
        raise PermanentError(f"SMTP {where}: TLS certificate not trusted: {exc.verify_message}") from None
    except (smtplib.SMTPServerDisconnected, socket.timeout, OSError) as exc:
        unknown = smtp is not None and smtp.in_data  # dropped after the message went: it may have arrived
        raise TransientError(f"SMTP {where}: {exc or type(exc).__name__}", outcome_unknown=unknown) from None
    refused = {addr: (code, _reply(reply)) for addr, (code, reply) in refused.items()}
    return EmailResult(message_id=msg["Message-ID"], accepted=[a for a in envelope_to if a not in refused],
                       refused=refused)


class _SMTP(smtplib.SMTP):
    """smtplib.SMTP that knows whether the DATA phase began (after it, a lost reply leaves the outcome unknown)."""

    in_data = False

    def data(self, msg):
        self.in_data = True
        return super().data(msg)


def _reply(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _by_code(code: int, reason: str) -> TransientError | PermanentError:
    if 400 <= code < 500:
        return TransientError(reason, code=code)
    return PermanentError(reason, code=code)


def _all_refused(recipients: dict) -> TransientError | PermanentError:
    """Every recipient refused: permanent only when every refusal was a 5xx (a retry could pass a 4xx)."""
    listed = "; ".join(f"{addr}: {code} {_reply(reply)}" for addr, (code, reply) in recipients.items())
    codes = [code for code, _reply_text in recipients.values()]
    if all(code >= 500 for code in codes):
        return PermanentError(f"mailbox refused: {listed}", code=max(codes))
    return TransientError(f"recipients refused for now: {listed}", code=min(codes))

