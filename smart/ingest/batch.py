"""Many reports at once, for closed networks (D §4 R-C14): a folder, or a zip of report files, carried out by
hand and uploaded by a person. Each file goes through the same checks, archive and audit as an upload
(`service.accept_internal`, channel `manual`), in any order: processing judges each report at its own
time, and alerts from such a backlog become a historical digest, not live messages.

A container zip is told apart from a sysinfo zip by its content: a sysinfo zip holds the report itself
(XML or SQLite), a container holds files named like reports (`*.zip`, `*.xml`, `*.status`, `*.sqlite`).
"""
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from .errors import IngestError
from .names import EXTENSIONS

MAX_MEMBER_BYTES = 200 * 1024 * 1024  # one report inside a container
MAX_MEMBERS = 50_000


@dataclass
class FileResult:
    source: str  # the file's name in the folder or container
    code: str  # "ok", "no_new_data", "quarantined", or the refusal's code
    report_id: int | None = None
    message: str = ""
    status: str = ""  # the report's processing status, once processed


@dataclass
class BatchResult:
    files: list[FileResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f.code] = out.get(f.code, 0) + 1
        return out

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.code not in ("ok", "no_new_data", "quarantined")]


def _report_ext(name: str) -> str | None:
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    return suffix if suffix in EXTENSIONS else None


def is_container(data: bytes) -> bool:
    """A zip whose members are themselves report files (and not a sysinfo zip with its XML inside)."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError):
        return False
    reports = [n for n in names if _report_ext(n) in ("zip", "status")]
    return bool(reports) and len(reports) * 2 >= len(names)


def sources(paths: list[Path]) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(label, read) for each report file under the given folders, files and container zips."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from sources([child])
            continue
        data = path.read_bytes()
        if path.suffix.lower() == ".zip" and is_container(data):
            yield from _members(path.name, data)
        else:
            yield path.name, (lambda d=data: d)


def _members(label: str, data: bytes) -> Iterator[tuple[str, Callable[[], bytes]]]:
    import io

    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = [i for i in zf.infolist() if not i.is_dir()][:MAX_MEMBERS]
    for info in sorted(infos, key=lambda i: i.filename):
        def read(info=info):
            if info.file_size > MAX_MEMBER_BYTES:
                raise IngestError("too_large", info.filename)
            with zf.open(info) as fh:
                return fh.read(MAX_MEMBER_BYTES + 1)
        yield f"{label}/{info.filename}", read


def upload_name(name: str, label: str) -> str | None:
    """The name SMART files a report under: the installation's name with the file's extension
    (`ZAVOD-20261101T120000Z.zip` → `ZAVOD.zip`)."""
    ext = _report_ext(label)
    return f"{name}.{ext}" if ext else None


def upload(dealer, name: str, items, progress: Callable[[FileResult], None] | None = None,
           source: str = "batch") -> BatchResult:
    """Accept every item as `<name>.<ext>`; one bad file never stops the batch."""
    from . import service

    result = BatchResult()
    for label, read in items:
        target = upload_name(name, label)
        if target is None:
            item = FileResult(label, "unsupported_extension", message="not a report file (.zip .xml .sqlite .status)")
        else:
            try:
                outcome = service.accept_internal(dealer, target, read(), source=source)
                item = FileResult(label, outcome.code, outcome.report.pk)
            except IngestError as err:
                item = FileResult(label, err.code, message=str(err))
            except (zipfile.BadZipFile, OSError) as err:  # an unreadable member of a container
                item = FileResult(label, "unreadable", message=str(err))
        result.files.append(item)
        if progress is not None:
            progress(item)
    return result


def fill_statuses(result: BatchResult) -> None:
    """After processing: each accepted file's report status (ok, or what made it fail)."""
    from .models import Report

    ids = [f.report_id for f in result.files if f.report_id]
    found = dict(Report.objects.filter(pk__in=ids).values_list("pk", "status"))
    detail = dict(Report.objects.filter(pk__in=ids).exclude(detail="").values_list("pk", "detail"))
    for f in result.files:
        if f.report_id:
            f.status = found.get(f.report_id, "")
            if f.status not in ("ok", "no_new_data") and not f.message:
                f.message = detail.get(f.report_id, "")[:200]
