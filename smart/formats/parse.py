"""The single entry point: bytes or a file in, a ParsedReport or a ParseFailure out.

Dispatch is by content (sniff), never by file name:
- zip    -> exactly one sysinfo member (XML or SQLite) is parsed; other members (.txt, a stray .status)
            are ignored with a warning; any archive member fails the whole upload (`nested_archive`);
- xml    -> sysinfo XML;  sqlite -> sysinfo SQLite (always through a private temporary copy);
- status -> .status (Prometheus text);  error_page / empty / unknown -> ParseFailure.
"""
import contextlib
import io
import os
import tempfile
from datetime import datetime

from .convert import LocalClock, zone_from_name
from .errors import ParseFailure
from .limits import Limits
from .mapping import Mapping, reference_mapping
from .model import ParsedReport
from .safezip import SafeZip, is_archive
from .sniff import SNIFF_BYTES, sniff
from .status import parse_status
from .sysinfo_sqlite import parse_sysinfo_sqlite
from .sysinfo_xml import check_prolog, parse_sysinfo_xml

_DEFAULT_LIMITS = Limits()


def parse_report(source: bytes | str | os.PathLike, *, time_zone: str, received_at: datetime,
                 limits: Limits = _DEFAULT_LIMITS, mapping: Mapping | None = None) -> ParsedReport:
    """Parse an uploaded report.

    `time_zone` is the installation's IANA zone (sysinfo wall-clock times are converted to UTC with it);
    `received_at` (aware) is used when a .status carries no Date line. Raises ParseFailure for any bad
    input, ValueError for bad arguments; file-system errors on `source` itself propagate.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    clock = LocalClock(zone_from_name(time_zone))
    mapping = mapping or reference_mapping()
    with _open_source(source) as (stream, size):
        if size > limits.max_upload_bytes:
            raise ParseFailure("too_large", f"{size} bytes > {limits.max_upload_bytes}")
        head = stream.read(SNIFF_BYTES)
        stream.seek(0)
        kind = _expect_report(sniff(head, size))
        if kind == "zip":
            return _parse_zip(stream, clock=clock, mapping=mapping, limits=limits, received_at=received_at)
        return _parse_plain(kind, stream, clock=clock, mapping=mapping, limits=limits, received_at=received_at)


@contextlib.contextmanager
def _open_source(source):
    """(seekable binary stream, size) for bytes or a path; closes what it opened."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        yield io.BytesIO(data), len(data)
        return
    with open(source, "rb") as handle:
        yield handle, os.fstat(handle.fileno()).st_size


def _expect_report(sniffed) -> str:
    if sniffed.kind == "empty":
        raise ParseFailure("empty", "nothing but whitespace or header lines", http_status=sniffed.http_status)
    if sniffed.kind == "error_page":
        raise ParseFailure("error_page", "collector error page", http_status=sniffed.http_status)
    if sniffed.kind == "unknown":
        raise ParseFailure("unknown_content", "not zip, XML, SQLite or Prometheus text")
    return sniffed.kind


def _parse_plain(kind, stream, *, clock, mapping, limits, received_at, member=None) -> ParsedReport:
    container = "zip" if member else None
    if kind == "status":
        status = parse_status(_read_all(stream, limits.max_status_bytes), received_at=received_at, limits=limits)
        return ParsedReport(kind="status", source_format="prometheus", container=container, member=member,
                            observed_at=status.observed_at, status=status, warnings=status.warnings)
    if kind == "xml":
        check_prolog(_prolog(stream, limits), limits)
        sysinfo = parse_sysinfo_xml(stream, clock=clock, mapping=mapping, limits=limits)
    else:
        sysinfo = _parse_sqlite_copy(stream, clock=clock, mapping=mapping, limits=limits)
    return ParsedReport(kind="sysinfo", source_format=kind, container=container, member=member,
                        observed_at=sysinfo.header.generated_at, sysinfo=sysinfo, warnings=sysinfo.warnings)


def _parse_zip(stream, *, clock, mapping, limits, received_at) -> ParsedReport:
    with SafeZip(stream, limits) as archive:
        candidates, ignored = [], []
        for info in archive.members:
            reader = archive.open(info)
            head = reader.read(SNIFF_BYTES)
            reader.close()
            if is_archive(info.filename, head):
                raise ParseFailure("nested_archive", f"member {info.filename[:100]!r} is an archive")
            kind = sniff(head, info.file_size).kind
            if kind in ("xml", "sqlite"):
                candidates.append((info, kind))
            elif kind == "error_page" and len(archive.members) == 1:
                raise ParseFailure("error_page", f"the only member {info.filename[:100]!r} is an error page")
            else:
                ignored.append(info.filename)
        if not candidates:
            raise ParseFailure("not_sysinfo", "the zip holds no XML or SQLite member")
        if len(candidates) > 1:
            names = ", ".join(repr(i.filename[:60]) for i, _ in candidates[:5])
            raise ParseFailure("multiple_reports", f"sysinfo candidates: {names}")
        info, kind = candidates[0]
        reader = archive.open(info)
        try:
            head = reader.read(SNIFF_BYTES)
            rest = _Prefixed(head, reader)
            report = _parse_plain(kind, rest, clock=clock, mapping=mapping, limits=limits,
                                  received_at=received_at, member=info.filename)
        finally:
            reader.close()
    if ignored:
        note = f"zip members ignored: {', '.join(repr(n[:60]) for n in ignored[:10])}"
        report.warnings = (*report.warnings, note)
        report.sysinfo.warnings = (*report.sysinfo.warnings, note)
    return report


def _parse_sqlite_copy(stream, *, clock, mapping, limits):
    """SQLite needs a real file: copy to a private (0600) temporary file, parse, always delete it."""
    fd, path = tempfile.mkstemp(prefix="smart-sysinfo-", suffix=".sqlite")
    try:
        with os.fdopen(fd, "wb") as out:
            written = 0
            while chunk := stream.read(1024 * 1024):
                written += len(chunk)
                if written > limits.max_sqlite_bytes:
                    raise ParseFailure("sqlite_too_large", f"more than {limits.max_sqlite_bytes} bytes")
                out.write(chunk)
        return parse_sysinfo_sqlite(path, clock=clock, mapping=mapping, limits=limits)
    finally:
        os.unlink(path)


def _prolog(stream, limits: Limits) -> bytes:
    """The first max_prolog_bytes, left in place for the parser."""
    if isinstance(stream, _Prefixed):
        return stream.peek_more(limits.max_prolog_bytes)
    position = stream.tell()
    data = stream.read(limits.max_prolog_bytes)
    stream.seek(position)
    return data


def _read_all(stream, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ParseFailure("too_large", f"more than {limit} bytes for a .status")
    return data


class _Prefixed:
    """A forward-only stream whose first bytes were already read for sniffing."""

    def __init__(self, head: bytes, stream):
        self._buffer = head
        self._stream = stream

    def peek_more(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = self._stream.read(size - len(self._buffer))
            if not chunk:
                break
            self._buffer += chunk
        return self._buffer[:size]

    def read(self, size: int = -1) -> bytes:
        if self._buffer:
            if size is None or size < 0 or size >= len(self._buffer):
                data, self._buffer = self._buffer, b""
                return data
            data, self._buffer = self._buffer[:size], self._buffer[size:]
            return data
        return self._stream.read(size)

