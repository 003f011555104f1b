"""Webhooks: a JSON POST signed with HMAC-SHA256, and the check a receiver runs.

    X-Smart-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the shared secret>
    X-Smart-Timestamp: <unix seconds when sent>

2xx is delivered; 408, 425, 429, 5xx and network failures are transient; any other answer (3xx, 4xx) is
permanent: the URL or the receiver's configuration needs a person. Redirects are not followed.
"""
import hashlib
import hmac
import json
import time

import httpx
from django.conf import settings

from .errors import PermanentError, TransientError

SIGNATURE_HEADER = "X-Smart-Signature"
TIMESTAMP_HEADER = "X-Smart-Timestamp"
USER_AGENT = "SMART-webhook/1"
TRANSIENT_STATUSES = {408, 425, 429}


def encode(payload: dict) -> bytes:
    """The body as sent: compact UTF-8 JSON with sorted keys (stable bytes for the same payload)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str).encode()


def sign(body: bytes, secret: str) -> str:
    """The X-Smart-Signature value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, secret: str, header: str | None) -> bool:
    """True when `header` (the X-Smart-Signature value) is the signature of the raw `body` under `secret`.

    Compare before parsing the JSON, on the bytes as received; the comparison takes constant time.
    """
    if not header or not secret:
        return False
    return hmac.compare_digest(sign(body, secret).encode(), header.strip().encode("utf-8", "replace"))


def post_webhook(url: str, payload: dict, secret: str, *, timeout: float | None = None,
                 client: httpx.Client | None = None) -> int:
    """POST `payload` to `url` signed with `secret`; returns the 2xx status or raises a typed error."""
    if not secret:
        raise ValueError("a webhook needs a secret to sign with")
    if not url.startswith(("http://", "https://")):
        raise PermanentError(f"webhook URL must be http(s): {url!r}")
    body = encode(payload)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               SIGNATURE_HEADER: sign(body, secret), TIMESTAMP_HEADER: str(int(time.time()))}
    timeout = float(timeout if timeout is not None else getattr(settings, "SMART_HTTP_TIMEOUT", 10))
    try:
        if client is not None:
            response = client.post(url, content=body, headers=headers, timeout=timeout)
        else:
            response = httpx.post(url, content=body, headers=headers, timeout=timeout, follow_redirects=False)
    except httpx.TimeoutException as exc:
        raise TransientError(f"webhook {_safe(url)}: timeout ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise TransientError(f"webhook {_safe(url)}: {type(exc).__name__}: {exc}") from None
    status = response.status_code
    if 200 <= status < 300:
        return status
    reason = f"webhook {_safe(url)}: HTTP {status} {response.reason_phrase}".rstrip()
    if status >= 500 or status in TRANSIENT_STATUSES:
        raise TransientError(reason, retry_after=_retry_after(response), code=status)
    raise PermanentError(reason, code=status)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:  # an HTTP date: rare enough to leave the back-off to the caller
        return None


def _safe(url: str) -> str:
    """The URL without its query string or user info: both often carry tokens."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(query=None, userinfo=b""))
