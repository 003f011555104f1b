"""Reports and status files for alert tests, timed around the real clock (the hook never evaluates
past it), and an uploader for any installation of the dealer."""
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime

from smart.formats.model import DbError, Licence, OperupFile, User, Volume
from smart.ingest import service
from smart.ingest.archive import IncomingFile
from smart.pipeline.worker import drain
from tests.pipeline.reports import as_zip, sysinfo

UTC = timezone.utc


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def report(at: datetime, *, licences=None, errors=None, operups=None, users=None, **kwargs):
    """A sysinfo zip at `at`: tests.pipeline.reports.sysinfo with licences far ahead unless given,
    `errors` as {volume: [(group, code, alias, message)]}, `operups` as {path: age}, `users` as extra logins."""
    built = sysinfo(at, **kwargs)
    changes = {"licences": licences if licences is not None else
               (Licence(product="Кодекс: Законодательство", expires_on=(at + timedelta(days=400)).date(), seats=10),)}
    if errors is not None:
        changes["volumes"] = tuple(Volume(name=name, path=rf"D:\Kodeks\DB\{name}",
                                          errors=tuple(DbError(*e) for e in errs)) for name, errs in errors.items())
    if operups is not None:
        changes["operup_files"] = tuple(OperupFile(path=path, modified_at=at - age) for path, age in operups.items())
    if users:
        changes["users"] = built.users + tuple(
            User(login=login, full_name=login.title(), registered_on=date(2026, 1, 1)) for login in users)
    return as_zip(replace(built, **changes))


def status_file(at: datetime | None, **series) -> bytes:
    """A .status file dated `at` (no Date line when None) with kserver_* samples: series=value, or
    series={labels: value} given as a dict of label tuples."""
    lines = [f"date: {format_datetime(at, usegmt=True)}"] if at else []
    lines += ["# TYPE kserver_up gauge", "kserver_up 1"]
    for name, value in series.items():
        samples = value if isinstance(value, dict) else {(): value}
        for labels, sample in samples.items():
            text = ",".join(f'{k}="{v}"' for k, v in labels)
            lines.append(f"kserver_{name}{{{text}}} {sample}" if text else f"kserver_{name} {sample}")
    return ("\r\n".join(lines) + "\r\n").encode()


def upload(dealer, name: str, content: bytes, ext: str = "zip", process: bool = True):
    """Upload under `name` with the dealer's legacy token (as the scripts do) and run the pipeline."""
    caller = service.Caller(endpoint="upload", token_value="legacy-token-0042", dealer_header=dealer.header_value,
                            upload_header="yes")
    service.authenticate(caller)
    incoming = IncomingFile()
    incoming.write(content)
    outcome = service.accept(caller, incoming, f"{name}.{ext}")
    if process:
        drain()
    outcome.report.refresh_from_db()
    return outcome.report
