"""Read tokens for a dealer's Prometheus scrape of `/metrics` (never valid for uploads, and upload tokens are
never valid here: different table, different purpose)."""
import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smart.registry.models import Dealer


class MetricsToken(models.Model):
    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="metrics_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    label = models.CharField(_("label"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("metrics token")
        verbose_name_plural = _("metrics tokens")

    @staticmethod
    def hash(plain: str) -> str:
        return hashlib.sha256(plain.encode()).hexdigest()

    @classmethod
    def issue(cls, dealer, label: str = "") -> tuple["MetricsToken", str]:
        plain = "smm_" + secrets.token_urlsafe(24)
        return cls.objects.create(dealer=dealer, token_hash=cls.hash(plain), prefix=plain[:8], label=label), plain

    @classmethod
    def active(cls, plain: str):
        if not plain:
            return None
        return cls.objects.select_related("dealer").filter(token_hash=cls.hash(plain), revoked_at__isnull=True).first()


class AsrpForward(models.Model):
    """One sysinfo handed (or to be handed) to ASRP on the dealer's behalf, with ASRP's answer (B §B).

    (installation, sha256) is unique among pending and sent rows: a file is forwarded once; a period without
    a new sysinfo is logged as `repeat` without sending anything; a failed file is tried again next period."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        REPEAT = "repeat", _("no new sysinfo since the last forward: not sent")
        FAILED = "failed", _("failed")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    installation = models.ForeignKey("registry.Installation", on_delete=models.CASCADE, related_name="asrp_forwards")
    report = models.ForeignKey("ingest.Report", null=True, on_delete=models.SET_NULL, related_name="+")
    sha256 = models.CharField(max_length=64)
    report_guid = models.CharField(max_length=64, blank=True)
    report_time = models.DateTimeField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, db_index=True)
    finished_at = models.DateTimeField(null=True, db_index=True)
    http_status = models.PositiveSmallIntegerField(null=True)
    response = models.CharField(max_length=16, blank=True)  # ASRP's "ok" / "warning"
    asrp_state = models.CharField(max_length=16, blank=True)  # accepted | repeat | (ASRP's own word)
    upload_number = models.CharField(max_length=64, blank=True)
    asrp_guid = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "sha256"], name="asrp_forward_once",
                                               condition=models.Q(state__in=["pending", "sent"]))]
        indexes = [models.Index(fields=["installation", "created_at"], name="asrp_inst_idx")]
