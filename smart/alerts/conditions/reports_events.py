"""`event` conditions about what reports brought (dispatched by events.py): a new user, an identity
mismatch, an error page uploaded instead of a report, a server version change.

Decisions where the catalogue and D are silent:
- new_user: a login is new when its first listing (KnownUser.first_seen) is later than the
  installation's first sysinfo (everyone listed by the first report is the baseline, not news). With a
  "quiet" resolve the condition holds while the newest such first listing is younger than quiet_s;
  otherwise only while the newest report brought it. One instance per installation, the logins in the detail.
- identity_mismatch: holds while an IdentityMismatch row exists; `smart accept-identity` deletes the
  rows when it accepts the new identity (and requeues the held reports, whose processing re-evaluates).
- collector_error_page: per stream ("|stream:sysinfo", "|stream:status"), the newest upload with a
  decisive outcome decides: an error page or an empty file (statuses collector_error_page, error_page,
  empty) holds, a valid report (ok, no_new_data, identity_mismatch) clears; uploads that are neither
  (a truncated zip, unknown content, still queued) are skipped. `at` is the upload's receipt time.
- version_changed: the component's version (default "server") first listed by the newest sysinfo
  (`scope` "last_report"), or first listed within `window_s`, differs from the version listed before it.
  Version rows are spans (first/last seen), so a return to an earlier version (A → B → A) is not seen.
"""
from datetime import timedelta

from django.db.models import F, Max, Min

from smart.formats.errors import HTTP_HINTS
from smart.ingest.models import Report
from smart.metrics.models import IdentityMismatch, KnownUser, Snapshot, VersionEvent

from .facts import historical, installations, observation, quiet_s, sysinfo_historical, when

ERROR_PAGE = ("collector_error_page", "error_page", "empty")
VALID = ("ok", "no_new_data", "identity_mismatch")


def new_user(condition: dict, scope) -> dict:
    """Logins first listed after the installation's first sysinfo, within the quiet period."""
    keep = quiet_s(scope)
    rows = KnownUser.objects.filter(installation__in=installations(scope))
    rows = rows.filter(first_seen__gt=scope.now - timedelta(seconds=keep)) if keep else \
        rows.filter(first_seen=F("installation__state__report_time"))
    rows = list(rows.select_related("installation__client", "installation__state__report").order_by("first_seen"))
    if not rows:
        return {}
    first_reports = (Snapshot.objects.filter(installation_id__in={r.installation_id for r in rows})
                     .values("installation_id").annotate(first=Min("report_time")))
    baseline = {row["installation_id"]: row["first"] for row in first_reports}
    news = {}
    for row in rows:
        if row.first_seen > baseline.get(row.installation_id, row.first_seen):
            news.setdefault(row.installation_id, []).append(row)
    found = {}
    for users in news.values():
        inst, newest = users[0].installation, users[-1]
        logins = ", ".join(u.login + (f" ({u.full_name})" if u.full_name else "") for u in users)
        found[f"i{inst.id}"] = observation(
            inst, "", newest.first_seen,
            f"{len(users)} new user(s): {logins}; first listed {when(users[0].first_seen)}",
            value=len(users), since=users[0].first_seen, labels={"users": [u.login for u in users]},
            historical=sysinfo_historical(inst.state, newest.first_seen))
    return found


def identity_mismatch(condition: dict, scope) -> dict:
    """Reports held because their regnum or legal name differs, until an operator accepts them."""
    rows = (IdentityMismatch.objects.filter(installation__in=installations(scope))
            .select_related("installation__client", "installation__dealer", "report").order_by("report_time", "field"))
    held = {}
    for row in rows:
        held.setdefault(row.installation_id, []).append(row)
    found = {}
    for mismatches in held.values():
        inst, newest = mismatches[0].installation, mismatches[-1]
        says = "; ".join(f"the report of {when(m.report_time)} says {m.field} {m.found!r}, expected {m.expected!r}"
                         for m in mismatches)
        reports = {m.report_id for m in mismatches}
        found[f"i{inst.id}"] = observation(
            inst, "", newest.report_time,
            f"{says}. {len(reports)} report(s) held, not merged: accept with `smart accept-identity --dealer "
            f"{inst.dealer.code} --name {inst.name}` if the new identity is right",
            value=newest.found, since=mismatches[0].report_time,
            labels={"fields": sorted({m.field for m in mismatches}), "found": newest.found},
            historical=historical(inst, newest.report_time, newest.report.received_at, newest.report.channel,
                                  inst.expected_interval_s))
    return found


def collector_error_page(condition: dict, scope) -> dict:
    """Streams whose newest decisive upload is an error page or an empty file."""
    uploads = Report.objects.filter(installation__in=installations(scope))
    last_valid = {(i, s): at for i, s, at in uploads.filter(status__in=VALID).values("installation_id", "stream")
                  .annotate(at=Max("received_at")).values_list("installation_id", "stream", "at")}
    pages = uploads.filter(status__in=ERROR_PAGE).values("installation_id", "stream").annotate(at=Max("received_at"))
    found = {}
    for row in pages:
        valid = last_valid.get((row["installation_id"], row["stream"]))
        if valid is not None and valid >= row["at"]:
            continue
        page = (uploads.filter(installation_id=row["installation_id"], stream=row["stream"], status__in=ERROR_PAGE,
                               received_at=row["at"]).select_related("installation").order_by("-id").first())
        what = "an empty file" if page.status == "empty" else (
            f"an HTTP {page.http_status} error page" if page.http_status else "an HTML error page")
        hint = HTTP_HINTS.get(page.http_status) or (
            "the collector wrote nothing: check that the script reaches K/TE" if page.status == "empty"
            else "check the collector script's address, port and the rights of the user it logs in as")
        obs = observation(page.installation, f"|stream:{page.stream}", page.received_at,
                          f"the {page.stream} upload {page.file_name} of {when(page.received_at)} was {what} "
                          f"instead of a report: {hint}", value=page.http_status or page.status,
                          labels={"stream": page.stream, "http_status": page.http_status, "file": page.file_name})
        found[obs.object_key] = obs
    return found


def version_changed(condition: dict, scope) -> dict:
    """A component's version differs from the one listed before it (newest report, or within a window)."""
    component = condition.get("component", "server")
    rows = VersionEvent.objects.filter(installation__in=installations(scope), component=component)
    if condition.get("scope") == "last_report":
        new = rows.filter(first_seen=F("installation__state__report_time"))
    else:
        window = condition.get("window_s") or quiet_s(scope)
        if not window:
            raise ValueError("version_changed needs scope 'last_report', a window_s or a quiet resolve")
        new = rows.filter(first_seen__gt=scope.now - timedelta(seconds=window))
    found = {}
    for version in new.select_related("installation__client", "installation__state__report").order_by("first_seen"):
        before = (rows.filter(installation_id=version.installation_id, first_seen__lt=version.first_seen)
                  .exclude(version=version.version).order_by("-last_seen").first())
        if before is None:
            continue  # the first version ever listed is no change
        inst = version.installation
        found[f"i{inst.id}"] = observation(
            inst, "", version.first_seen, f"{component} version changed from {before.version} to {version.version} "
            f"in the sysinfo of {when(version.first_seen)}", value=version.version,
            labels={"component": component, "version": version.version, "previous": before.version},
            historical=sysinfo_historical(inst.state, version.first_seen))
    return found
