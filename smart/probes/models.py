"""Check series: every probe, pull and scrape run, its current state per target, hourly availability,
and what the online scraper reads (billing counters, search history)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from smart.registry.models import Dealer, Installation, OnlineAccess


class Check(models.TextChoices):
    """Check names are an interface: dashboards (A §2.3 legend `<checktype> <host>`) and alert rules use them."""

    ICMP = "icmp", _("ICMP ping")
    TCP = "tcp", _("TCP port")
    HTTP200 = "http200", _("HTTP 200")
    PROXY = "proxy", _("reverse proxy")
    AUTH = "auth", _("smartlogin sign-in")
    MAINTENANCE = "Maintenance", _("not in maintenance")
    WARNING = "warning", _("no servicing banner")
    KEY = "key", _("protection key")
    LIMIT = "limit", _("free seats")
    LICMAN_ICMP = "licman_icmp", _("licence manager ping")
    LICMAN_TCP = "licman_tcp", _("licence manager port")
    PULL_SYSINFO = "pull_sysinfo", _("sysinfo pull")
    PULL_STATUS = "pull_status", _("sysmon metrics pull")
    BILLING = "billing", _("online billing counters")
    SEARCHES = "searches", _("online search history")


class CheckSample(models.Model):
    """One run of one check against one target."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    installation = models.ForeignKey(Installation, null=True, blank=True, on_delete=models.CASCADE, related_name="check_samples")
    online_access = models.ForeignKey(OnlineAccess, null=True, blank=True, on_delete=models.CASCADE, related_name="check_samples")
    check_type = models.CharField(max_length=16, choices=Check.choices)
    at = models.DateTimeField()
    ok = models.BooleanField()
    code = models.SmallIntegerField(default=0)
    state = models.CharField(max_length=24, blank=True)
    latency_ms = models.FloatField(null=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["installation", "check_type", "at"], name="sample_inst_idx"),
            models.Index(fields=["online_access", "check_type", "at"], name="sample_online_idx"),
            models.Index(fields=["dealer", "at"], name="sample_dealer_idx"),
        ]


class CheckState(models.Model):
    """The current state of one check of one target: what alert rules and the scheduler's restart read."""

    target_key = models.CharField(max_length=40, unique=True)
    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+")
    installation = models.ForeignKey(Installation, null=True, blank=True, on_delete=models.CASCADE, related_name="check_states")
    online_access = models.ForeignKey(OnlineAccess, null=True, blank=True, on_delete=models.CASCADE, related_name="check_states")
    check_type = models.CharField(max_length=16, choices=Check.choices)
    ok = models.BooleanField(null=True)
    since = models.DateTimeField(null=True)  # when `ok` last changed
    last_run_at = models.DateTimeField(null=True)
    last_ok_at = models.DateTimeField(null=True)
    last_fail_at = models.DateTimeField(null=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    runs = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    code = models.SmallIntegerField(default=0)
    state = models.CharField(max_length=24, blank=True)
    latency_ms = models.FloatField(null=True)
    detail = models.CharField(max_length=300, blank=True)
    extra = models.JSONField(default=dict, blank=True)  # e.g. last_known_ip of a proxy check

    class Meta:
        indexes = [models.Index(fields=["check_type", "ok"], name="checkstate_rule_idx")]  # what alert rules ask


class CheckHourly(models.Model):
    """Runs and successes per target, check and hour: the rolling 30-day availability (C §6–§7)."""

    target_key = models.CharField(max_length=40)
    installation = models.ForeignKey(Installation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    online_access = models.ForeignKey(OnlineAccess, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    check_type = models.CharField(max_length=16, choices=Check.choices)
    hour = models.DateTimeField()
    total = models.PositiveIntegerField(default=0)
    ok = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target_key", "hour"], name="checkhourly_unique")]
        indexes = [models.Index(fields=["check_type", "hour"], name="checkhourly_check_idx"),
                   # availability series of chosen installations / accesses (C §6, §7)
                   models.Index(fields=["installation", "check_type", "hour"], name="checkhourly_inst_idx"),
                   models.Index(fields=["online_access", "check_type", "hour"], name="checkhourly_online_idx")]


class CheckDaily(models.Model):
    """Runs and successes per target, check and UTC day: the hourly table summed by day, written beside it, so
    availability over long ranges (C §6–§7) reads one row per target and day instead of 24."""

    target_key = models.CharField(max_length=40)
    installation = models.ForeignKey(Installation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    online_access = models.ForeignKey(OnlineAccess, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    check_type = models.CharField(max_length=16, choices=Check.choices)
    day = models.DateField()  # the UTC day
    total = models.PositiveIntegerField(default=0)
    ok = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target_key", "day"], name="checkdaily_unique")]
        indexes = [models.Index(fields=["check_type", "day"], name="checkdaily_check_idx"),
                   models.Index(fields=["installation", "check_type", "day"], name="checkdaily_inst_idx"),
                   models.Index(fields=["online_access", "check_type", "day"], name="checkdaily_online_idx")]


class OnlineCounters(models.Model):
    """The four billing counters of an online access as its profile page showed them."""

    online_access = models.ForeignKey(OnlineAccess, on_delete=models.CASCADE, related_name="counters")
    at = models.DateTimeField()
    documents_left = models.IntegerField(null=True)
    documents_limit = models.IntegerField(null=True)
    search_left = models.IntegerField(null=True)
    search_limit = models.IntegerField(null=True)
    print_left = models.IntegerField(null=True)
    print_limit = models.IntegerField(null=True)
    export_left = models.IntegerField(null=True)
    export_limit = models.IntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["online_access", "at"], name="onlinecounters_idx")]


class OnlineSearch(models.Model):
    """One query from an online access's search history (collected nightly)."""

    online_access = models.ForeignKey(OnlineAccess, on_delete=models.CASCADE, related_name="searches")
    fingerprint = models.CharField(max_length=32)  # natural key: time, user, text, type
    at = models.DateTimeField()
    login = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    search_type = models.CharField(max_length=64, blank=True)
    results = models.IntegerField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["online_access", "fingerprint"], name="onlinesearch_unique")]
        indexes = [models.Index(fields=["online_access", "at"], name="onlinesearch_at_idx")]
