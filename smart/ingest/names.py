"""Validation of uploaded file names: `<CLIENTNAME>.<ext>`, with no path tricks (W18, X6)."""
import unicodedata

from django.conf import settings

from smart.registry.models import CLIENT_SLUG_RE

from .errors import IngestError

EXTENSIONS = {"zip": "sysinfo", "xml": "sysinfo", "sqlite": "sysinfo", "db": "sysinfo", "status": "status"}


def split_file_name(file_name: str) -> tuple[str, str]:
    """(stem, extension) of a valid upload name, or IngestError with the specific reason."""
    name = file_name or ""
    if not name:
        raise IngestError("missing_file_field", "the file part has no file name")
    if (
        len(name) > settings.SMART_FILE_NAME_MAX
        or "/" in name
        or "\\" in name
        or ".." in name
        or name.startswith(".")
        or any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name)
    ):
        raise IngestError("bad_file_name", repr(name[:200]))
    stem, dot, ext = name.rpartition(".")
    if not dot or ext.lower() not in EXTENSIONS:
        raise IngestError("unsupported_extension", repr(name))
    if not CLIENT_SLUG_RE.match(stem):
        raise IngestError("bad_client_name", repr(stem))
    return stem, ext.lower()


def stream_of(ext: str) -> str:
    """Which report stream a file belongs to (rate limits and 'no new data' are per stream)."""
    return EXTENSIONS[ext]
