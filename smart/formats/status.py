"""Reader for `.status` uploads: `curl -i` header lines (at least `Date:`) + Prometheus text.

What the field scripts produce (00-product, D §3.2 F4, E3, E22):
- the K/TE HTTP `Date:` line in any letter case, or none at all (then the receipt time is used);
- CRLF line ends; sometimes the full `curl -i` response head (status line, headers);
- instead of metrics, an HTML error page or a 401/503 response; or nothing at all.
A file may hold several runs appended one after the other; each run starts with a status or Date line
after body lines, and only the last run counts (older ones are reported as a warning).
"""
import re
from datetime import datetime
from email.utils import parsedate_to_datetime

from prometheus_client.parser import text_string_to_metric_families

from .convert import UTC
from .errors import ParseFailure
from .limits import Limits
from .model import MetricFamily, Sample, StatusReport

_STATUS_LINE_RE = re.compile(r"^HTTP/\d(?:\.\d)?\s+(\d{3})\b", re.I)
_DATE_RE = re.compile(r"^date:\s*(.*)$", re.I)
_HEADER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:\s")
_HTML_RE = re.compile(r"<\s*(!doctype\s+html|html|head|body|title|h1)\b", re.I)
_TITLE_STATUS_RE = re.compile(r"<title>\s*(\d{3})\b", re.I)


class _Run:
    def __init__(self):
        self.http_status: int | None = None
        self.dates: list[str] = []
        self.body: list[str] = []


def parse_status(data: bytes, *, received_at: datetime, limits: Limits) -> StatusReport:
    """Parse a .status upload; collector error output raises ParseFailure(error_page | empty)."""
    if len(data) > limits.max_status_bytes:
        raise ParseFailure("too_large", f"{len(data)} bytes > {limits.max_status_bytes} for a .status")
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseFailure("bad_encoding", f".status is not UTF-8: {exc.reason} at byte {exc.start}") from None
    runs = _split_runs(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    run = runs[-1]
    warnings = [f"{len(runs) - 1} earlier appended run(s) ignored"] if len(runs) > 1 else []
    body = "\n".join(run.body).strip()
    if run.http_status is not None and run.http_status >= 400:
        raise ParseFailure("error_page", f"HTTP {run.http_status} saved instead of metrics", http_status=run.http_status)
    if _HTML_RE.search(body[:4096]):
        title = _TITLE_STATUS_RE.search(body[:4096])
        status = run.http_status if run.http_status not in (None, 200) or not title else int(title.group(1))
        raise ParseFailure("error_page", "HTML page saved instead of metrics", http_status=status)
    if not body:
        raise ParseFailure("empty", "no metrics after the header lines", http_status=run.http_status)
    families = _families(body + "\n")
    if not any(f.samples for f in families):
        raise ParseFailure("empty", "metrics text without a single sample", http_status=run.http_status)
    observed, source = _observed_at(run.dates, received_at, warnings)
    return StatusReport(observed_at=observed, time_source=source, http_status=run.http_status,
                        families=families, warnings=tuple(warnings))


def _split_runs(lines: list[str]) -> list[_Run]:
    runs = [_Run()]
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        current = runs[-1]
        status = _STATUS_LINE_RE.match(line)
        date = _DATE_RE.match(line)
        if (status or date) and current.body:
            current = _Run()
            runs.append(current)
        if status:
            current.http_status = int(status.group(1))
        elif date:
            current.dates.append(date.group(1).strip())
        elif not current.body and _HEADER_RE.match(line):
            continue  # other curl -i response headers (Content-Type, Server, ...)
        else:
            current.body.append(raw)
    return runs


def _families(body: str) -> tuple[MetricFamily, ...]:
    try:
        return tuple(
            MetricFamily(
                name=family.name, type=family.type, documentation=family.documentation,
                samples=tuple(Sample(s.name, dict(s.labels), float(s.value), _seconds(s.timestamp))
                              for s in family.samples),
            )
            for family in text_string_to_metric_families(body)
        )
    except Exception as exc:  # noqa: BLE001 - the third-party parser's failure modes are undocumented
        raise ParseFailure("malformed_metrics", f"{type(exc).__name__}: {exc}"[:200]) from None


def _seconds(timestamp) -> float | None:
    """Sample timestamps in seconds; newer prometheus_client versions return a Timestamp object."""
    return None if timestamp is None else float(timestamp)


def _observed_at(dates: list[str], received_at: datetime, warnings: list[str]) -> tuple[datetime, str]:
    """The last parsable Date line (with -L the final response is last), else the receipt time (E22)."""
    for value in reversed(dates):
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            warnings.append(f"unparsable Date line {value[:60]!r}")
            continue
        if parsed.tzinfo is None:  # "-0000" means UTC with unknown local zone (RFC 5322)
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC), "date_header"
    if not dates:
        warnings.append("no Date line: receipt time used")
    return received_at.astimezone(UTC), "received_at"
