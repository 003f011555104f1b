"""Processing jobs: one row per report to process, claimed by workers without double work."""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smart.ingest.models import Report


class ProcessingJob(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        SET_ASIDE = "set_aside", _("set aside after repeated failures")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="jobs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["state", "not_before"], name="job_claim_idx")]
