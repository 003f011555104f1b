"""Routes (who gets which alerts, how), the outbox (every message is a row before it is sent), and the
per-chat send budget."""
from datetime import time

from django.db import models
from django.utils.translation import gettext_lazy as _

from smart.alerts.models import Flip
from smart.registry.models import Dealer
from smart.registry.secrets import EncryptedTextField


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    TELEGRAM = "telegram", _("Telegram")
    WEBHOOK = "webhook", _("webhook")


class Route(models.Model):
    """A dealer's delivery rule (AL-3): a channel and its target, for some categories and priorities."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="routes")
    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # e-mail addresses (comma-separated), a Telegram chat id, or a webhook URL; empty with `to_manager`
    target = models.CharField(_("target"), max_length=1000, blank=True)
    to_manager = models.BooleanField(_("the responsible manager"), default=False,
                                     help_text=_("send to the e-mail of the installation's or access's manager"))
    secret = EncryptedTextField(_("webhook secret"), blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)  # empty: every category
    max_priority = models.CharField(_("up to priority"), max_length=2, default="P4")  # P2: P1 and P2 only
    language = models.CharField(_("language"), max_length=2, default="ru")
    enabled = models.BooleanField(_("enabled"), default=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.channel})"

    def wants(self, priority: str, category: str) -> bool:
        return self.enabled and priority <= self.max_priority and (not self.categories or category in self.categories)


class Notification(models.Model):
    """One message to one target: queued when the flips it carries were routed, sent at most once."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed: will not be retried")

    dealer = models.ForeignKey(Dealer, null=True, on_delete=models.CASCADE, related_name="notifications")
    route = models.ForeignKey(Route, null=True, on_delete=models.SET_NULL, related_name="notifications")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    target = models.CharField(max_length=1000)
    language = models.CharField(max_length=2, default="ru")
    rule = models.CharField(max_length=64)
    new_state = models.CharField(max_length=8)  # firing | resolved
    flips = models.ManyToManyField(Flip, related_name="notifications")
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField()
    not_before = models.DateTimeField()  # grouping wait, back-off, retry_after, quiet hours
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=200, blank=True)  # Message-ID or Telegram message_id
    subject = models.CharField(max_length=300, blank=True)  # as sent, for the dealer's history
    # alert (FIRING/RESOLVED) | renotify | escalation | reminder | digest | daily | historical | count |
    # binding | ops
    kind = models.CharField(max_length=16, default="alert")
    # one message per key, ever (a re-notify round, a reminder of one morning): enforced by the database
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    send_started_at = models.DateTimeField(null=True, blank=True)  # set right before the transport call
    in_doubt = models.BooleanField(default=False)  # the notifier died between send and its record
    held_until = models.DateTimeField(null=True, blank=True)  # quiet hours: the morning it was held for

    class Meta:
        indexes = [models.Index(fields=["state", "not_before"], name="notification_due_idx")]


class NotifyPolicy(models.Model):
    """A dealer's delivery hours and escalation (D §1.2, AL-4). Missing row = the defaults."""

    dealer = models.OneToOneField(Dealer, on_delete=models.CASCADE, related_name="notify_policy")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")
    quiet_start = models.TimeField(_("quiet hours from"), default=time(22, 0))
    quiet_end = models.TimeField(_("quiet hours until"), default=time(7, 0))
    morning_at = models.TimeField(_("morning delivery at"), default=time(7, 30))
    night_delivery = models.BooleanField(_("deliver P2 to Telegram at night"), default=False)
    escalate_after_s = models.PositiveIntegerField(_("escalate an unacknowledged P1 after, s"), default=1800)
    escalate_channel = models.CharField(_("escalation channel"), max_length=8, choices=Channel.choices,
                                        default=Channel.EMAIL)
    escalate_to = models.CharField(_("escalation contact"), max_length=1000, blank=True)


class TelegramBinding(models.Model):
    """A one-time code a dealer sends to the bot as `/start <code>` to bind a chat to a Telegram route."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="telegram_bindings")
    route = models.ForeignKey(Route, null=True, blank=True, on_delete=models.CASCADE, related_name="bindings")
    code = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    chat_id = models.CharField(max_length=64, blank=True)
    chat_title = models.CharField(max_length=300, blank=True)
    bound_at = models.DateTimeField(null=True, blank=True)


class BotState(models.Model):
    """Small persistent values of the notifier (the Telegram getUpdates offset)."""

    name = models.CharField(max_length=64, unique=True)
    value = models.JSONField(default=dict)


class ChatBudget(models.Model):
    """Telegram's per-chat limits as a token bucket kept in the database (1 msg/s, 20 msg/min)."""

    chat = models.CharField(max_length=64, unique=True)
    sent_at = models.JSONField(default=list)  # send times (epoch seconds) within the last minute
    blocked_until = models.FloatField(default=0)  # epoch seconds: retry_after from a 429
