"""What arrived: every report kept in the archive, and every upload attempt, accepted or not (X9)."""
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smart.registry.models import Dealer, IngestToken, Installation


class Channel(models.TextChoices):
    LEGACY = "legacy", _("legacy upload (dealer token)")
    API = "api", _("API (installation token)")
    MANUAL = "manual", _("manual upload")
    PULL = "pull", _("pulled by SMART")


# Content kinds that go to processing (an error page too: processing raises CollectorErrorPage).
PROCESSABLE_KINDS = frozenset({"zip", "xml", "sqlite", "status", "error_page"})


class Report(models.Model):
    """One received file, archived under its sha256 before it was acknowledged."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued for processing")
        NO_NEW_DATA = "no_new_data", _("same content as the previous report")
        QUARANTINED = "quarantined", _("unknown name: waiting in quarantine")
        COLLECTOR_ERROR_PAGE = "collector_error_page", _("the collector uploaded an error page")
        EMPTY = "empty", _("empty file")
        UNKNOWN_CONTENT = "unknown_content", _("not a report")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="reports")
    installation = models.ForeignKey(
        Installation, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    name = models.CharField(_("name"), max_length=270)  # the file name's stem: CLIENTNAME
    file_name = models.CharField(_("file name"), max_length=300)
    stream = models.CharField(_("stream"), max_length=8)  # "sysinfo" or "status"
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("content kind"), max_length=16)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField(_("size"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    report_time = models.DateTimeField(_("report's own time"), null=True, blank=True)  # set by processing
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    token = models.ForeignKey(IngestToken, null=True, blank=True, on_delete=models.SET_NULL)
    quarantined = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=32, default=Status.QUEUED)
    detail = models.TextField(_("detail"), blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)  # of an uploaded error page

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index("dealer", Lower("file_name"), name="report_dealer_file_idx"),
            models.Index("dealer", Lower("name"), "stream", "received_at", name="report_dealer_name_idx"),
            models.Index(fields=["installation", "-received_at"], name="report_inst_recv_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} @ {self.received_at:%Y-%m-%d %H:%M:%S}"


class UploadAttempt(models.Model):
    """The audit trail: one row per request to an ingest endpoint, whatever its outcome."""

    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    endpoint = models.CharField(max_length=16)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    token = models.ForeignKey(IngestToken, null=True, blank=True, on_delete=models.SET_NULL)
    dealer = models.ForeignKey(Dealer, null=True, blank=True, on_delete=models.SET_NULL)
    dealer_header = models.CharField(max_length=100, blank=True)
    file_name = models.CharField(max_length=300, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=16, blank=True)
    http_status = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40)
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("upload attempt")
        verbose_name_plural = _("upload attempts")
        indexes = [models.Index(fields=["dealer", "-received_at"], name="attempt_dealer_idx")]
