"""Cabinet state: per-user preferences, the audit trail, login throttling and invitations."""
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Preference(models.Model):
    """A person's settings: time zone for every time shown, favourite dashboards, optional TOTP secret."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")
    language = models.CharField(_("language"), max_length=8, blank=True)  # empty: the browser's / Russian
    favourites = models.JSONField(default=list, blank=True)  # dashboard slugs, in the user's order
    totp_secret = models.CharField(max_length=64, blank=True)  # base32; empty: no second factor

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")


class AuditEntry(models.Model):
    """Who changed what in the registry, and who exported which data (X14)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    dealer = models.ForeignKey("registry.Dealer", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=32)  # create | update | archive | restore | export | import | token | ...
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)  # {field: [old, new]}
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")


class LoginFailure(models.Model):
    """A failed sign-in, counted per username and per address for throttling."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)


class Invitation(models.Model):
    """An e-mailed, single-use link that lets a person choose their own password."""

    dealer = models.ForeignKey("registry.Dealer", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=16)
    branch = models.ForeignKey("registry.Branch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
