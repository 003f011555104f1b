"""Opening untrusted zip uploads without letting them hurt us.

- The central directory is checked before any byte is decompressed: member count, declared sizes,
  declared compression ratio, names (absolute or '..' = path traversal), encryption and method.
- Members are only ever streamed (never extracted to disk by name) through `LimitedReader`, which
  counts real output and stops at the limit, so a member that lies about its size is cut off early
  and a bomb is never decompressed in full.
- Nested archives are recognised by name and by magic bytes and are never opened.
"""
import os
import re
import zipfile
import zlib

from .errors import ParseFailure
from .limits import Limits

_ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".zst", ".cab", ".jar",
                     ".lzma", ".arj", ".z")
_ARCHIVE_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c",
                   b"Rar!\x1a\x07", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd", b"MSCF")
_SUPPORTED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_DRIVE_RE = re.compile(r"^[A-Za-z]:")


def is_archive(name: str, head: bytes) -> bool:
    """Whether a member is itself an archive, by its name or its first bytes."""
    return name.lower().endswith(_ARCHIVE_SUFFIXES) or head.startswith(_ARCHIVE_MAGICS) or (
        len(head) > 262 and head[257:262] == b"ustar"
    )


def unsafe_name(name: str) -> bool:
    """Absolute paths, drive letters and '..' components would escape an extraction directory."""
    normal = name.replace("\\", "/")
    return normal.startswith("/") or bool(_DRIVE_RE.match(normal)) or ".." in normal.split("/") or "\x00" in name


class SafeZip:
    """A zip whose directory passed every static check; open members with `open()`."""

    def __init__(self, source, limits: Limits):
        self.limits = limits
        try:
            self._zip = zipfile.ZipFile(source)
            infos = self._zip.infolist()
        except zipfile.BadZipFile as exc:
            raise _bad_zip(exc) from None
        except (EOFError, OSError) as exc:
            raise ParseFailure("truncated", f"zip cannot be read to its end: {exc}") from None
        except (ValueError, NotImplementedError, RuntimeError) as exc:
            raise ParseFailure("zip_corrupt", str(exc)[:200]) from None
        if len(infos) > limits.max_members:
            raise ParseFailure("zip_bomb", f"{len(infos)} members > {limits.max_members}")
        for info in infos:
            _check_member(info, limits)
        if sum(i.file_size for i in infos) > limits.max_unpacked_bytes:
            raise ParseFailure("zip_bomb", f"declared unpacked size > {limits.max_unpacked_bytes} bytes")
        self.members = [i for i in infos if not i.is_dir()]

    def open(self, info: zipfile.ZipInfo) -> "LimitedReader":
        """A limited streaming reader of one member."""
        try:
            stream = self._zip.open(info)
        except zipfile.BadZipFile as exc:
            raise _bad_zip(exc) from None
        except (EOFError, OSError) as exc:
            raise ParseFailure("truncated", f"{info.filename}: {exc}") from None
        except (NotImplementedError, RuntimeError) as exc:
            raise ParseFailure("zip_unsupported", f"{info.filename}: {exc}") from None
        except (ValueError, zlib.error) as exc:
            raise ParseFailure("zip_corrupt", f"{info.filename}: {exc}") from None
        return LimitedReader(stream, info, self.limits)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> "SafeZip":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class LimitedReader:
    """A member's decompressed bytes, stopped with `zip_bomb` as soon as they pass the limits."""

    def __init__(self, stream, info: zipfile.ZipInfo, limits: Limits):
        self._stream = stream
        self._name = info.filename
        self._compressed = max(info.compress_size, 1)
        self._limit = min(limits.max_unpacked_bytes, info.file_size)
        self._ratio_limit = max(limits.max_ratio * self._compressed, limits.ratio_floor_bytes)
        self.produced = 0

    def read(self, size: int = -1) -> bytes:
        """Up to `size` (at most 1 MiB) decompressed bytes; raises ParseFailure past the limits."""
        # Never ask for "everything": a bounded read keeps a lying member from inflating in one call.
        size = 64 * 1024 if size is None or size < 0 else min(size, 1024 * 1024)
        try:
            data = self._stream.read(size)
        except zipfile.BadZipFile as exc:
            raise _bad_zip(exc, self._name) from None
        except EOFError as exc:
            raise ParseFailure("truncated", f"{self._name}: {exc}") from None
        except (zlib.error, ValueError, OSError, RuntimeError) as exc:
            # lzma/bz2 raise their own errors (OSError subclasses, ValueError); all mean bad data here.
            raise ParseFailure("zip_corrupt", f"{self._name}: {exc}"[:200]) from None
        self.produced += len(data)
        if self.produced > self._limit:
            raise ParseFailure("zip_bomb", f"{self._name}: more than {self._limit} bytes unpacked")
        if self.produced > self._ratio_limit:
            raise ParseFailure("zip_bomb", f"{self._name}: compression ratio over the limit")
        return data

    def copy_to(self, path: str | os.PathLike, max_bytes: int, status: str) -> int:
        """Stream the member into `path`; more than `max_bytes` raises ParseFailure(`status`)."""
        written = 0
        with open(path, "wb") as out:
            while chunk := self.read(1024 * 1024):
                written += len(chunk)
                if written > max_bytes:
                    raise ParseFailure(status, f"{self._name}: more than {max_bytes} bytes")
                out.write(chunk)
        return written

    def close(self) -> None:
        self._stream.close()


def _check_member(info: zipfile.ZipInfo, limits: Limits) -> None:
    if unsafe_name(info.filename) or unsafe_name(getattr(info, "orig_filename", info.filename)):
        raise ParseFailure("path_traversal", f"member name {info.filename[:100]!r}")
    if info.flag_bits & 0x1:
        raise ParseFailure("zip_unsupported", f"{info.filename}: encrypted member")
    if info.compress_type not in _SUPPORTED_METHODS:
        raise ParseFailure("zip_unsupported", f"{info.filename}: compression method {info.compress_type}")
    if info.file_size > limits.max_unpacked_bytes:
        raise ParseFailure("zip_bomb", f"{info.filename}: declares {info.file_size} bytes unpacked")
    if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise ParseFailure("zip_bomb", f"{info.filename}: declared ratio {info.file_size // max(info.compress_size, 1)}:1")


def _bad_zip(exc: Exception, name: str = "") -> ParseFailure:
    message = str(exc)
    where = f"{name}: " if name else ""
    if "not a zip file" in message.lower() or "truncated" in message.lower():
        return ParseFailure("truncated", f"{where}{message} (no complete central directory)")
    return ParseFailure("zip_corrupt", f"{where}{message}"[:200])
