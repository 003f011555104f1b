"""Resource limits applied to every untrusted upload (D §3.5 X6). Callers may tighten them per channel."""
from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-upload resource limits; every field is a hard stop with a specific failure status."""

    max_upload_bytes: int = 50 * MiB  # the file as uploaded (zip, raw XML, SQLite or .status)
    max_unpacked_bytes: int = 500 * MiB  # a zip member once decompressed
    max_ratio: int = 200  # uncompressed / compressed per member; sysinfo XML compresses ~10-60x
    ratio_floor_bytes: int = 1 * MiB  # members smaller than this are never a bomb, whatever their ratio
    max_members: int = 32  # entries in the zip's central directory
    max_sqlite_bytes: int = 500 * MiB
    max_sqlite_pages: int = 1_000_000
    max_sqlite_steps: int = 500_000_000  # SQLite VM instructions (progress-handler budget) per report
    max_status_bytes: int = 16 * MiB  # a .status is ~16 KB in the field
    max_prolog_bytes: int = 64 * 1024  # XML declaration + comments + DOCTYPE before the root element
    max_warnings: int = 100  # further warnings are counted, not kept
    max_unknown_paths: int = 200  # distinct unknown element paths kept in a report
