"""Webhooks: a JSON POST signed with HMAC-SHA256, and the check a receiver runs.

    X-Smart-Timestamp: <unix seconds when sent>
    X-Smart-Signature: sha256=<hex HMAC-SHA256 of f"{timestamp}.{raw body}", keyed with the shared secret>
    X-Smart-Delivery:  <one id per notification, the same on every retry: receivers drop repeats by it>

The signature covers the timestamp, and a receiver refuses timestamps older (or newer) than a few
minutes, so a captured request cannot be replayed later; within the tolerance a receiver that keeps the
delivery ids it saw drops the replay as a repeat.

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
DELIVERY_HEADER = "X-Smart-Delivery"
TOLERANCE_S = 300
USER_AGENT = "SMART-webhook/1"
TRANSIENT_STATUSES = {408, 425, 429}


def encode(payload: dict) -> bytes:
    """The body as sent: compact UTF-8 JSON with sorted keys (stable bytes for the same payload)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str).encode()


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Smart-Signature value: HMAC-SHA256 over the timestamp, a dot and the raw body."""
    message = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(secret: str, timestamp: str | int | None, body: bytes, signature: str | None,
                     tolerance_s: float = TOLERANCE_S, now: float | None = None) -> bool:
    """True when `signature` (X-Smart-Signature) signs `timestamp` (X-Smart-Timestamp) and the raw `body`
    under `secret`, and the timestamp is within `tolerance_s` of now.

    Check before parsing the JSON, on the bytes as received; the comparison takes constant time.
    """
    if not signature or not secret or timestamp is None:
        return False
    stamp = str(timestamp).strip()
    if not stamp.isdigit() or abs((now if now is not None else time.time()) - int(stamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, stamp, body).encode(), signature.strip().encode("utf-8", "replace"))


def post_webhook(url: str, payload: dict, secret: str, *, timeout: float | None = None,
                 client: httpx.Client | None = None, delivery_id: str | None = None) -> int:
    """POST `payload` to `url` signed with `secret`; returns the 2xx status or raises a typed error.
    `delivery_id` is the same for every attempt of one message (X-Smart-Delivery)."""
    if not secret:
        raise ValueError("a webhook needs a secret to sign with")
    if not url.startswith(("http://", "https://")):
        raise PermanentError(f"webhook URL must be http(s): {url!r}")
    body = encode(payload)
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               SIGNATURE_HEADER: sign(secret, stamp, body), TIMESTAMP_HEADER: stamp}
    if delivery_id:
        headers[DELIVERY_HEADER] = delivery_id
    timeout = float(timeout if timeout is not None else getattr(settings, "SMART_HTTP_TIMEOUT", 10))
    try:
        if client is not None:
            response = client.post(url, content=body, headers=headers, timeout=timeout)
        else:
            response = httpx.post(url, content=body, headers=headers, timeout=timeout, follow_redirects=False)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # the request never left
        raise TransientError(f"webhook {_safe(url)}: {type(exc).__name__}: {exc}") from None
    except httpx.TimeoutException as exc:  # the receiver may have acted on it
        raise TransientError(f"webhook {_safe(url)}: timeout ({type(exc).__name__})", outcome_unknown=True) from None
    except httpx.HTTPError as exc:
        raise TransientError(f"webhook {_safe(url)}: {type(exc).__name__}: {exc}", outcome_unknown=True) from None
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
