"""The metrics store: what SMART knows of each installation, derived from its reports.

- InstallationState: the latest state (one row per installation), never overwritten by an older report.
- Snapshot: one row per processed sysinfo report: its gauges, month-to-date counter totals and the
  increments since the previous report of the same month (what hourly rollups are made of).
- HourlyRollup: per installation and UTC hour, recomputed from the snapshots of that hour, so that
  out-of-order reports fill history and reprocessing changes nothing.
- Per-user monthly counters, and event tables de-duplicated across overlapping reports by natural keys.
- StatusSample / DiskFree: curated series from .status files.
All instants are UTC.
"""
from django.db import models

from smart.ingest.models import Report
from smart.registry.models import Installation

from .status_series import definitions as _status_definitions

COUNTERS = (
    "db_requests", "kassist_requests", "documents_opened", "documents_free", "services",
    "link_follows", "saves", "prints", "searches",
)


STATUS_SERIES = tuple(_status_definitions()["series"])


def _counter_fields(prefix: str) -> dict:
    return {f"{prefix}{name}": models.BigIntegerField(null=True) for name in COUNTERS}


class InstallationState(models.Model):
    installation = models.OneToOneField(Installation, on_delete=models.CASCADE, primary_key=True, related_name="state")
    report = models.ForeignKey(Report, null=True, on_delete=models.SET_NULL, related_name="+")
    report_time = models.DateTimeField(null=True)
    received_at = models.DateTimeField(null=True)
    last_new_data_at = models.DateTimeField(null=True)  # receipt of the newest report with new content (E2)
    version = models.CharField(max_length=64, blank=True)
    arch = models.CharField(max_length=16, blank=True)
    patch = models.CharField(max_length=64, blank=True)
    sysinfo_version = models.CharField(max_length=32, blank=True)
    host = models.CharField(max_length=270, blank=True)  # address[:port] as the server knows itself
    alias = models.CharField(max_length=200, blank=True)
    regnum = models.CharField(max_length=64, blank=True)
    legal_name = models.CharField(max_length=500, blank=True)
    catalogues = models.JSONField(default=list)
    seats_total = models.IntegerField(null=True)
    seats_used = models.IntegerField(null=True)
    key_state = models.CharField(max_length=32, blank=True)
    licence_expiry = models.DateField(null=True)  # the nearest of all licences
    regfile_expiry = models.DateField(null=True)
    licman = models.JSONField(null=True)  # licence manager block: host, port, status, message
    operup_latest_at = models.DateTimeField(null=True)
    operup_max_age_hours = models.FloatField(null=True)  # at report time: the stalest operup file
    db_error_count = models.IntegerField(null=True)
    clock_skew_s = models.FloatField(null=True)  # report's own time minus receipt time
    # status stream
    status_report = models.ForeignKey(Report, null=True, on_delete=models.SET_NULL, related_name="+")
    status_observed_at = models.DateTimeField(null=True)
    status_received_at = models.DateTimeField(null=True)
    status_values = models.JSONField(default=dict)  # the curated series of the newest status file
    updated_at = models.DateTimeField(auto_now=True)


class Snapshot(models.Model):
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="snapshots")
    report = models.ForeignKey(Report, null=True, on_delete=models.SET_NULL, related_name="+")
    report_time = models.DateTimeField()
    report_guid = models.CharField(max_length=64, blank=True)  # the report's own identifier (ASRP uses it)
    month = models.DateField()  # first day of the report's month in the installation's zone
    seats_total = models.IntegerField(null=True)
    seats_used = models.IntegerField(null=True)
    users_total = models.IntegerField(null=True)
    users_active_month = models.IntegerField(null=True)  # users with >= 1 DB request this month
    key_state = models.CharField(max_length=32, blank=True)
    locals().update(_counter_fields("total_"))
    locals().update(_counter_fields("inc_"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "report_time"], name="snapshot_unique")]
        indexes = [
            models.Index(fields=["installation", "month", "report_time"], name="snapshot_month_idx"),
            # the reports that carry involvement (users active this month over reg-file seats): its month-end
            # peaks probe the newest such report per installation and month, wherever the others lack it
            models.Index(fields=["installation", "month", "report_time"], name="snapshot_involvement_idx",
                         condition=models.Q(users_active_month__isnull=False, seats_total__gt=0)),
        ]


class HourlyRollup(models.Model):
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="hourly")
    hour = models.DateTimeField()  # UTC, truncated to the hour
    reports = models.IntegerField(default=0)
    seats_used_max = models.IntegerField(null=True)
    seats_used_sum = models.IntegerField(null=True)  # mean = sum / reports
    seats_total = models.IntegerField(null=True)
    searches = models.IntegerField(default=0)
    empty_searches = models.IntegerField(default=0)
    refusals = models.IntegerField(default=0)
    refusals_no_seats = models.IntegerField(default=0)
    locals().update({name: models.BigIntegerField(default=0) for name in COUNTERS if name != "searches"})
    counted_searches = models.BigIntegerField(default=0)  # from the per-user counters (vs. the search log)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "hour"], name="hourly_unique")]
        indexes = [models.Index(fields=["hour", "installation"], name="hourly_hour_idx")]

    @property
    def seats_used_mean(self) -> float | None:
        return None if self.seats_used_sum is None or not self.reports else self.seats_used_sum / self.reports


class DailyRollup(models.Model):
    """The hourly rollups of one calendar day in the installation's time zone (client's calendar, E11)."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="daily")
    day = models.DateField()
    reports = models.IntegerField(default=0)
    seats_used_max = models.IntegerField(null=True)
    seats_used_sum = models.IntegerField(null=True)
    seats_total = models.IntegerField(null=True)
    searches = models.IntegerField(default=0)
    empty_searches = models.IntegerField(default=0)
    refusals = models.IntegerField(default=0)
    refusals_no_seats = models.IntegerField(default=0)
    locals().update({name: models.BigIntegerField(default=0) for name in COUNTERS if name != "searches"})
    counted_searches = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "day"], name="daily_unique")]
        indexes = [models.Index(fields=["day", "installation"], name="daily_day_idx")]


class UserMonthCounters(models.Model):
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="user_months")
    month = models.DateField()
    login = models.CharField(max_length=200)
    report_time = models.DateTimeField()  # of the report the values come from (the newest of the month)
    locals().update(_counter_fields(""))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "month", "login"], name="user_month_unique")]


class KnownUser(models.Model):
    """A user account as the newest report describes it (card fields, AD, last login)."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="known_users")
    login = models.CharField(max_length=200)
    full_name = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=300, blank=True)
    position = models.CharField(max_length=300, blank=True)
    department = models.CharField(max_length=300, blank=True)
    domain = models.CharField(max_length=200, blank=True)
    ad_group = models.CharField(max_length=200, blank=True)
    registered_on = models.DateField(null=True)
    last_login_at = models.DateTimeField(null=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()  # report time of the newest report listing the account

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "login"], name="known_user_unique")]

    @property
    def card_filled(self) -> bool:
        return all((self.full_name, self.phone, self.email, self.position, self.department))


class SearchEvent(models.Model):
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="searches")
    fingerprint = models.CharField(max_length=32)  # natural key: time, login, text, catalogue, type
    at = models.DateTimeField()
    login = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    search_type = models.CharField(max_length=16, blank=True)
    catalogue = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=16, blank=True)
    results = models.IntegerField(null=True)
    duration_ms = models.IntegerField(null=True)
    error = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "fingerprint"], name="search_unique")]
        indexes = [models.Index(fields=["installation", "at"], name="search_at_idx")]


class SessionEvent(models.Model):
    """A login session seen in reports (Connected users): first and last report that listed it."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="sessions")
    login = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    ip = models.CharField(max_length=64, blank=True)
    browser = models.CharField(max_length=300, blank=True)
    domain = models.CharField(max_length=200, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "login", "started_at"], name="session_unique")]
        # Connected users: the sessions still listed at a given report time (last_seen >= t) of one installation
        indexes = [models.Index(fields=["installation", "last_seen"], name="session_last_seen_idx")]


class RefusalEvent(models.Model):
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="refusals")
    fingerprint = models.CharField(max_length=32)
    at = models.DateTimeField()
    login = models.CharField(max_length=200, blank=True)
    code = models.IntegerField(null=True)
    reason = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    count = models.IntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "fingerprint"], name="refusal_unique")]
        indexes = [models.Index(fields=["installation", "at"], name="refusal_at_idx")]


class DbErrorEvent(models.Model):
    """A DB error entry as it persists across reports: first and last report time that listed it."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="db_errors")
    fingerprint = models.CharField(max_length=32)
    volume = models.CharField(max_length=500, blank=True)
    group = models.CharField(max_length=32, blank=True)
    code = models.IntegerField(null=True)
    alias = models.IntegerField(null=True)
    message = models.TextField(blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "fingerprint"], name="db_error_unique")]


class OperupEvent(models.Model):
    """One operup package file version: (path, modification time), seen in one or more reports."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="operups")
    path = models.CharField(max_length=1000)
    modified_at = models.DateTimeField()
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "path", "modified_at"], name="operup_unique")]


class VersionEvent(models.Model):
    """A component version (server, sysinfo module, kAssist, ...) with the period it was reported."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="versions")
    component = models.CharField(max_length=100)
    version = models.CharField(max_length=100)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "component", "version"], name="version_unique")]


class LicenceState(models.Model):
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="licences")
    product = models.CharField(max_length=300)
    volume = models.CharField(max_length=300, blank=True)
    expires_on = models.DateField(null=True)
    seats = models.IntegerField(null=True)
    report_time = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "product", "volume"], name="licence_unique")]


class KassistDay(models.Model):
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="kassist_days")
    day = models.DateField()
    unique_links = models.IntegerField(null=True)
    unmatched_links = models.IntegerField(null=True)
    all_links = models.IntegerField(null=True)
    active_links = models.IntegerField(null=True)
    report_time = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "day"], name="kassist_day_unique")]


class IdentityMismatch(models.Model):
    """A report whose regnum or legal name differs from the installation's history (E5): never merged silently."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="identity_mismatches")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=32)
    expected = models.CharField(max_length=500)
    found = models.CharField(max_length=500)
    report_time = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "field"], name="identity_mismatch_unique")]


class StatusSample(models.Model):
    """The curated series of one .status file: one float column per series of status_series.json
    (columns, not a JSON blob: a sample every 15 minutes is the biggest table per installation)."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="status_samples")
    observed_at = models.DateTimeField()
    received_at = models.DateTimeField()
    dated = models.BooleanField(default=True)  # False: the file had no Date line, receipt time used (E22)
    http_status = models.SmallIntegerField(null=True)
    locals().update({name: models.FloatField(null=True) for name in STATUS_SERIES})

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "observed_at"], name="status_sample_unique")]


class DiskFree(models.Model):
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="disk_free")
    observed_at = models.DateTimeField()
    path = models.CharField(max_length=500)
    free_bytes = models.BigIntegerField()
    total_bytes = models.BigIntegerField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "observed_at", "path"], name="disk_free_unique")]
