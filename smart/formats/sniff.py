"""Content sniffing: what kind of file the first bytes of an upload say it is.

Pure function over a prefix of the content; it never trusts the file name. The kinds:

zip, xml, sqlite, status (Prometheus text, optionally after `Date:` lines), error_page (HTML, or an
HTTP error status line/page saved by the collector instead of the report), empty, unknown.
"""
import re
from dataclasses import dataclass

SNIFF_BYTES = 8192

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
SQLITE_MAGIC = b"SQLite format 3\x00"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

_HTTP_STATUS_RE = re.compile(rb"^HTTP/\d(?:\.\d)?\s+(\d{3})", re.I)
_HTML_RE = re.compile(rb"<\s*(!doctype\s+html|html|head|body|title|h1)\b", re.I)
_TITLE_STATUS_RE = re.compile(rb"<title>\s*(\d{3})\b", re.I)
_DATE_LINE_RE = re.compile(rb"^date:\s*\S", re.I)
_HEADER_LINE_RE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:\s")
_PROM_LINE_RE = re.compile(
    rb"^(#.*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+[-+0-9.eEInNaf]+(\s+-?\d+)?\s*$)"
)


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes say an upload is."""

    kind: str
    http_status: int | None = None  # for error pages: the status the collector received, if visible


def sniff(head: bytes, total_size: int | None = None) -> Sniffed:
    """Classify content from its first bytes (SNIFF_BYTES are enough)."""
    if total_size == 0 or not head.strip():
        return Sniffed("empty")
    if head.startswith(ZIP_MAGICS):
        return Sniffed("zip")
    if head.startswith(SQLITE_MAGIC):
        return Sniffed("sqlite")
    text = head
    for bom in _BOMS:
        if text.startswith(bom):
            text = text[len(bom) :]
            break
    if text[:2] in (b"\x00<", b"<\x00"):  # UTF-16 without BOM
        text = text.replace(b"\x00", b"")
    stripped = text.lstrip()
    status = _http_status(stripped)
    if _HTML_RE.search(stripped[:4096]) and not stripped.startswith(b"<?xml") or (
        stripped.startswith(b"<?xml") and _HTML_RE.search(stripped[:1024])
    ):
        return Sniffed("error_page", status or _title_status(stripped))
    if stripped.startswith(b"<"):
        return Sniffed("xml")
    if status and status >= 400:
        return Sniffed("error_page", status)
    if _only_header_lines(stripped):
        return Sniffed("empty", status)  # curl wrote the Date/headers but no body (E3)
    if _looks_like_prometheus(stripped):
        return Sniffed("status")
    return Sniffed("unknown")


def _http_status(text: bytes) -> int | None:
    """The last HTTP status line among the leading header block (curl -i output), if any."""
    found = None
    for line in text.splitlines()[:200]:
        match = _HTTP_STATUS_RE.match(line.strip())
        if match:
            found = int(match.group(1))
    return found


def _title_status(text: bytes) -> int | None:
    match = _TITLE_STATUS_RE.search(text[:4096])
    return int(match.group(1)) if match else None


def _only_header_lines(text: bytes) -> bool:
    lines = [line.strip() for line in text.splitlines()[:400] if line.strip()]
    return bool(lines) and len(lines) < 400 and all(
        _DATE_LINE_RE.match(line) or _HEADER_LINE_RE.match(line) or _HTTP_STATUS_RE.match(line) for line in lines
    )


def _looks_like_prometheus(text: bytes) -> bool:
    """Prometheus exposition, optionally after curl -i header lines (`Date:` in any case)."""
    metric_lines = 0
    for raw in text.splitlines()[:400]:
        line = raw.strip()
        if not line or _DATE_LINE_RE.match(line) or _HEADER_LINE_RE.match(line) or _HTTP_STATUS_RE.match(line):
            continue
        if line.startswith(b"#"):
            # HELP, TYPE, EOF and free comments are all valid; HELP/TYPE alone still mark exposition
            metric_lines += bool(re.match(rb"#\s*(HELP|TYPE)\b", line))
            continue
        if not _PROM_LINE_RE.match(line):
            return False
        metric_lines += 1
    return metric_lines > 0
