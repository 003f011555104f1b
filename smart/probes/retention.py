"""Forgetting old check results: raw samples after SMART_PROBE_SAMPLE_RETENTION_DAYS, hourly and
daily availability and online facts after SMART_RETENTION_MONTHS (like every other fact)."""
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import CheckDaily, CheckHourly, CheckSample, OnlineCounters, OnlineSearch


def run(now=None) -> dict:
    now = now or timezone.now()
    samples_before = now - timedelta(days=settings.SMART_PROBE_SAMPLE_RETENTION_DAYS)
    facts_before = now - timedelta(days=round(settings.SMART_RETENTION_MONTHS * 30.44))
    return {
        "samples": CheckSample.objects.filter(at__lt=samples_before).delete()[0],
        "hourly": CheckHourly.objects.filter(hour__lt=facts_before).delete()[0],
        "daily": CheckDaily.objects.filter(day__lt=facts_before.date()).delete()[0],
        "counters": OnlineCounters.objects.filter(at__lt=facts_before).delete()[0],
        "searches": OnlineSearch.objects.filter(at__lt=facts_before).delete()[0],
    }
