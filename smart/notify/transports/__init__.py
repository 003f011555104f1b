"""Delivery transports: one module per channel, each turning a peer's answer into success or a typed error.

    from smart.notify.transports import PermanentError, TransientError
    from smart.notify.transports.email import send_email
    from smart.notify.transports.telegram import TelegramClient
    from smart.notify.transports.webhook import post_webhook, verify_signature
"""
from .errors import DeliveryError, PermanentError, TransientError

__all__ = ["DeliveryError", "PermanentError", "TransientError"]
