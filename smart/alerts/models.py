"""Alert instances (one per rule and object), their state changes (flips), silences and maintenance windows."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smart.registry.models import Client, Dealer, Installation, OnlineAccess


class State(models.TextChoices):
    PENDING = "pending", _("pending")
    FIRING = "firing", _("firing")
    RESOLVED = "resolved", _("resolved")


class Alert(models.Model):
    """The state of one rule for one object (installation, volume, online access, dealer, platform)."""

    rule = models.CharField(max_length=64)
    object_key = models.CharField(max_length=300)  # e.g. "i12", "i12|vol:KOD01", "o5|documents", "d3", "platform"
    fingerprint = models.CharField(max_length=40, unique=True)  # sha1(rule | object_key)
    dealer = models.ForeignKey(Dealer, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    installation = models.ForeignKey(Installation, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    online_access = models.ForeignKey(OnlineAccess, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    pending_since = models.DateTimeField()
    fired_at = models.DateTimeField(null=True)
    resolved_at = models.DateTimeField(null=True)
    last_seen_at = models.DateTimeField()  # the last evaluation that found the condition true
    resolve_streak = models.PositiveSmallIntegerField(default=0)  # evaluations false in a row (hysteresis)
    value = models.CharField(max_length=200, blank=True)
    detail = models.TextField(blank=True)
    labels = models.JSONField(default=dict, blank=True)
    priority = models.CharField(max_length=2)  # P1–P4
    legacy_priority = models.CharField(max_length=2)  # K1–K5
    importance = models.CharField(max_length=8)  # critical | info
    category = models.CharField(max_length=32, blank=True)
    inhibited_by = models.CharField(max_length=64, blank=True)  # the firing rule that holds this one back
    historical = models.BooleanField(default=False)  # from a closed network's backlog: digest, not live messages
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    snoozed_until = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_via = models.CharField(max_length=16, blank=True)  # ui | email | telegram | cli
    tta_s = models.FloatField(null=True, blank=True)  # time to acknowledge: fired → acknowledged
    ttr_s = models.FloatField(null=True, blank=True)  # time to resolve: fired → resolved
    last_notified_at = models.DateTimeField(null=True, blank=True)  # the last FIRING/re-notify message queued
    reminded_at = models.DateTimeField(null=True, blank=True)  # the last morning reminder queued

    class Meta:
        indexes = [
            models.Index(fields=["rule", "state"], name="alert_rule_state_idx"),
            models.Index(fields=["installation", "state"], name="alert_inst_state_idx"),
            models.Index(fields=["dealer", "state", "fired_at"], name="alert_dealer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.object_key} {self.state}"


class Flip(models.Model):
    """A change of an alert between firing and resolved: what the notifier turns into messages.
    Claimed with a compare-and-set on `claimed_at`, so two notifiers never send the same flip."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="flips")
    new_state = models.CharField(max_length=8, choices=State.choices)
    at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["processed_at", "id"], name="flip_pending_idx")]


class Silence(models.Model):
    """A dealer's silence: matching alerts are recorded but not sent until `ends_at`."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="silences")
    rule = models.CharField(max_length=64, blank=True)  # empty: every rule
    installation = models.ForeignKey(Installation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    comment = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")


class MaintenanceWindow(models.Model):
    """Dealer-declared planned work (D §1.5): probe alerts of the host are suppressed, staleness waits."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="maintenance_windows")
    installation = models.ForeignKey(Installation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    comment = models.CharField(max_length=300, blank=True)
