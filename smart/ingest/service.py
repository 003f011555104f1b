"""Ingest decisions, independent of the transport: who is uploading, under which name, and what is kept.

Blocking (database and fsync); the ASGI front end calls these from worker threads.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from smart.formats.sniff import sniff
from smart.pipeline.queue import enqueue
from smart.pipeline.signals import report_processed
from smart.registry.models import Dealer, IngestToken, Installation, InstallationAlias

from .archive import IncomingFile
from .errors import IngestError
from .models import PROCESSABLE_KINDS, Channel, Report, UploadAttempt
from .names import split_file_name, stream_of

# Content kinds refused at the door: (answer code, report status). They are still archived and recorded.
CONTENT_REFUSALS = {
    "empty": ("empty_file", Report.Status.EMPTY),
    "error_page": ("collector_error_page", Report.Status.COLLECTOR_ERROR_PAGE),
    "unknown": ("unknown_content", Report.Status.UNKNOWN_CONTENT),
}


@dataclass
class Caller:
    """What the transport knows about a request."""

    endpoint: str  # "upload", "api", "files"
    source_ip: str | None = None
    user_agent: str = ""
    token_value: str = ""
    dealer_header: str | None = None
    upload_header: str | None = None
    token: IngestToken | None = None
    dealer: Dealer | None = None
    extra: dict = field(default_factory=dict)


def authenticate(caller: Caller) -> IngestToken:
    """Check the token and headers; sets caller.token/dealer or raises IngestError."""
    if not caller.token_value:
        raise IngestError("missing_token")
    token = IngestToken.lookup_cached(caller.token_value)
    if token is None:
        raise IngestError("wrong_token")
    caller.token, caller.dealer = token, token.dealer
    if token.revoked_at is not None:
        raise IngestError("revoked_token")
    if caller.endpoint == "api" and token.is_legacy:
        raise IngestError("installation_token_required")
    if caller.endpoint != "api":
        if caller.upload_header is None and caller.endpoint == "upload" and token.is_legacy:
            raise IngestError("missing_upload_header")
        if caller.dealer_header is None:
            if token.is_legacy:
                raise IngestError("missing_dealer_header")
        elif caller.dealer_header.strip().lower() != token.dealer.header_value.lower():
            raise IngestError("dealer_mismatch", f"dealer header {caller.dealer_header.strip()[:60]!r}")
    return token


def resolve_installation(dealer: Dealer, name: str) -> Installation | None:
    """The live installation registered (or aliased) under this name for the dealer."""
    found = (
        Installation.objects.filter(dealer=dealer, archived_at__isnull=True)
        .annotate(lname=Lower("name"))
        .filter(lname=name.lower())
        .first()
    )
    if found:
        return found
    alias = (
        InstallationAlias.objects.select_related("installation")
        .annotate(lname=Lower("name"))
        .filter(dealer=dealer, lname=name.lower(), installation__archived_at__isnull=True)
        .first()
    )
    return alias.installation if alias else None


def _check_binding(token: IngestToken, stem: str, installation: Installation | None) -> None:
    if not token.is_legacy and (installation is None or installation.id != token.installation_id):
        raise IngestError("name_not_bound", repr(stem))


def _check_rate(dealer: Dealer, stem: str, ext: str) -> None:
    limit = settings.SMART_UPLOADS_PER_NAME_PER_HOUR
    if limit <= 0:
        return
    since = timezone.now() - timedelta(hours=1)
    recent = (
        Report.objects.filter(dealer=dealer, stream=stream_of(ext), received_at__gte=since)
        .annotate(lname=Lower("name"))
        .filter(lname=stem.lower())
    )
    if recent.count() >= limit:
        raise IngestError("rate_limited", f"limit {limit}/h", headers={"retry-after": "3600"})


def _previous_sha(installation: Installation, ext: str) -> str | None:
    return (
        Report.objects.filter(installation=installation, stream=stream_of(ext))
        .order_by("-received_at", "-id")
        .values_list("sha256", flat=True)
        .first()
    )


@dataclass
class Outcome:
    code: str
    report: Report


@dataclass
class Admission:
    """A named upload that passed the checks that need no content: name, binding, rate."""

    file_name: str
    stem: str
    ext: str
    installation: Installation | None


def admit(caller: Caller, file_name: str) -> Admission:
    """Check the name, the token's binding and the rate limit; raises IngestError."""
    stem, ext = split_file_name(file_name)
    installation = resolve_installation(caller.dealer, stem)
    _check_binding(caller.token, stem, installation)
    _check_rate(caller.dealer, stem, ext)
    return Admission(file_name, stem, ext, installation)


def archive(incoming: IncomingFile) -> None:
    """Make the received content durable in the archive (fsync); raises IngestError if it cannot."""
    try:
        incoming.commit()
    except OSError as exc:
        raise IngestError("storage_unavailable", exc.strerror or str(exc)) from exc


def record(caller: Caller, admission: Admission, incoming: IncomingFile, channel: str = Channel.LEGACY) -> Outcome:
    """Record an archived upload, queue it for processing, and decide the answer code.

    Callers archive() first: the archive write (fsync) precedes the database commit, and the commit
    precedes the answer, so an acknowledged report is never lost; a crash in between leaves only an
    unreferenced archive object.
    """
    installation = admission.installation
    sniffed = sniff(incoming.head, incoming.size)
    report = Report(
        dealer=caller.dealer,
        installation=installation,
        name=admission.stem,
        file_name=admission.file_name,
        stream=stream_of(admission.ext),
        channel=channel,
        kind=sniffed.kind,
        sha256=incoming.sha256,
        size=incoming.size,
        source_ip=caller.source_ip,
        token=caller.token,
        http_status=sniffed.http_status,
    )
    code = "ok"
    if sniffed.kind in CONTENT_REFUSALS:
        code, report.status = CONTENT_REFUSALS[sniffed.kind]
    if installation is None:
        report.quarantined = True
        report.status = Report.Status.QUARANTINED
        code = "quarantined" if code == "ok" else code
    elif code == "ok" and _previous_sha(installation, admission.ext) == incoming.sha256:
        report.status = Report.Status.NO_NEW_DATA
        code = "no_new_data"

    with transaction.atomic():
        report.save()
        if installation is not None and report.kind in PROCESSABLE_KINDS and code != "no_new_data":
            enqueue(report)
        record_attempt(caller, 200 if code == "ok" else _http(code), code, admission.file_name, incoming, report)
    if installation is not None and report.status == Report.Status.EMPTY:  # never processed: alerting hears it here
        report_processed.send_robust(Report, installation=installation, report=report, status=report.status, at=None)
    return Outcome(code, report)


def accept(caller: Caller, incoming: IncomingFile, file_name: str, channel: str = Channel.LEGACY) -> Outcome:
    """admit → archive → record in one call (for callers that are already on a worker thread)."""
    admission = admit(caller, file_name)
    archive(incoming)
    return record(caller, admission, incoming, channel)


def _http(code: str) -> int:
    return IngestError(code).http_status


def printable(text: str | None, limit: int) -> str:
    """Text safe to store and show: control characters (NUL included) escaped, length capped."""
    text = text or ""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        text = "".join(ch if 32 <= ord(ch) != 127 else "\\x%02x" % ord(ch) for ch in text)
    return text[:limit]


def record_attempt(caller: Caller, http_status: int, code: str, file_name: str = "", incoming=None, report=None):
    """One audit row per request, accepted or refused (X9)."""
    return UploadAttempt.objects.create(
        endpoint=caller.endpoint,
        source_ip=caller.source_ip,
        user_agent=printable(caller.user_agent, 300),
        token=caller.token,
        dealer=caller.dealer,
        dealer_header=printable(caller.dealer_header, 100),
        file_name=printable(file_name, 300),
        size=incoming.size if incoming is not None else caller.extra.get("size"),
        sha256=getattr(incoming, "sha256", "") or "",
        kind=report.kind if report is not None else (sniff(incoming.head, incoming.size).kind if incoming and incoming.size else ""),
        http_status=http_status,
        code=code,
        report=report,
    )


def accept_internal(dealer: Dealer, file_name: str, content: bytes, channel: str = Channel.MANUAL,
                    source: str = "") -> Outcome:
    """Accept a report that did not come through an upload endpoint (a person's manual or batch upload,
    a pull by SMART): same archive, checks and audit, but no token and no per-name rate limit."""
    caller = Caller(endpoint=channel, user_agent=source, dealer=dealer)
    incoming = IncomingFile()
    try:
        stem, ext = split_file_name(file_name)
        admission = Admission(file_name, stem, ext, resolve_installation(dealer, stem))
        incoming.write(content)
        archive(incoming)
    except IngestError as err:
        incoming.discard()
        record_attempt(caller, err.http_status, err.code, file_name, incoming)
        raise
    return record(caller, admission, incoming, channel)


def accept_pulled(installation: Installation, ext: str, content: bytes, source: str = "smart-pull") -> Outcome:
    """Accept a report SMART pulled itself from a known installation: the same archive, sniffing,
    "no new data" and audit as an upload, but no name resolution (a pulled installation's name is its
    `address:port`, which is not a file name) and no per-name rate limit."""
    if ext not in ("zip", "status"):
        raise ValueError(f"a pull yields .zip or .status, not .{ext}")
    caller = Caller(endpoint=Channel.PULL, user_agent=source, dealer=installation.dealer)
    incoming = IncomingFile()
    file_name = f"{installation.name}.{ext}"
    try:
        incoming.write(content)
        archive(incoming)
    except IngestError as err:
        incoming.discard()
        record_attempt(caller, err.http_status, err.code, file_name, incoming)
        raise
    return record(caller, Admission(file_name, installation.name, ext, installation), incoming, Channel.PULL)
