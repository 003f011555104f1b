"""The content-addressed report archive: every accepted report is on disk, fsynced, before it is acknowledged.

Layout: <archive>/<aa>/<bb>/<sha256>, written through <archive>/tmp and renamed into place, so a reader
never sees a partial object. Identical content is stored once.
"""
import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

from smart.formats.sniff import SNIFF_BYTES


def archive_root() -> Path:
    return Path(settings.SMART_ARCHIVE_DIR)


def object_path(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    return archive_root() / sha256[:2] / sha256[2:4] / sha256


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class IncomingFile:
    """A file being received: measured and sniffed as it arrives, hashed and spooled to a temp file.

    write() only buffers (cheap, on the event loop); flush() hashes and writes the buffer (blocking, and
    releases the GIL, so it runs on another core from a worker thread). At most FLUSH_BYTES plus one
    chunk are held in memory per upload.
    """

    FLUSH_BYTES = 256 * 1024

    def __init__(self):
        self._file = None
        self._tmp_path: Path | None = None
        self._hash = hashlib.sha256()
        self._pending: list[bytes] = []
        self.pending_bytes = 0
        self.size = 0
        self.head = b""
        self.sha256 = ""

    def write(self, data: bytes) -> None:
        if not data:
            return
        if len(self.head) < SNIFF_BYTES:
            self.head += data[: SNIFF_BYTES - len(self.head)]
        self._pending.append(data)
        self.pending_bytes += len(data)
        self.size += len(data)

    def flush(self) -> None:
        """Hash and write what is buffered (blocking)."""
        if self._file is None:
            tmp_dir = archive_root() / "tmp"
            tmp_dir.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="in-")
            self._file, self._tmp_path = os.fdopen(fd, "wb"), Path(name)
        pending, self._pending, self.pending_bytes = self._pending, [], 0
        for data in pending:
            self._hash.update(data)
            self._file.write(data)

    def commit(self) -> Path:
        """Make the content durable under its hash (blocking: call from a worker thread)."""
        self.flush()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self.sha256 = self._hash.hexdigest()
        target = object_path(self.sha256)
        if target.exists():
            self._tmp_path.unlink(missing_ok=True)
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._tmp_path, target)
        _fsync_dir(target.parent)
        return target

    def discard(self) -> None:
        self._pending, self.pending_bytes = [], 0
        if self._file is not None and not self._file.closed:
            self._file.close()
        if self._tmp_path is not None:
            self._tmp_path.unlink(missing_ok=True)


def store_bytes(data: bytes) -> tuple[str, Path]:
    """Archive content already in memory (pulled reports, tests); returns (sha256, path)."""
    incoming = IncomingFile()
    try:
        incoming.write(data)
        path = incoming.commit()
    except BaseException:
        incoming.discard()
        raise
    return incoming.sha256, path


def read_bytes(sha256: str) -> bytes:
    return object_path(sha256).read_bytes()
