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
