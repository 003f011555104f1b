"""Secrets SMART must use later (online passwords, smartlogin) are stored Fernet-encrypted.

Keys come from settings.SMART_FERNET_KEYS (environment or the data dir); the first key encrypts,
all keys decrypt, so a key can be rotated by prepending a new one.
"""
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _cipher(keys: tuple) -> MultiFernet:
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.SMART_FERNET_KEYS))


def encrypt(plain: str) -> str:
    return cipher().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("stored secret cannot be decrypted with the configured keys") from exc


def mask(plain: str) -> str:
    """What the UI and exports show of a secret: never more than its last two characters."""
    if not plain:
        return ""
    return "•" * 6 + (plain[-2:] if len(plain) > 6 else "")


class Secret(str):
    """A decrypted secret whose repr never shows the value (it can still be used as a str)."""

    def __repr__(self) -> str:
        return "Secret(%s)" % mask(self)


class EncryptedTextField(models.TextField):
    """Text stored as Fernet ciphertext; Python side sees a Secret (str) or ''."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return Secret(decrypt(value))

    def to_python(self, value):
        if value is None or isinstance(value, Secret):
            return value
        return Secret(value)

    def get_prep_value(self, value):
        if value in (None, ""):
            return ""
        return encrypt(str(value))
