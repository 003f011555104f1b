"""Reference-format reports built in code for pipeline tests."""
import io
import zipfile
from datetime import date, datetime, timedelta, timezone

from smart.formats.model import (
    Component, CounterPeriod, Header, Licence, LoginRefusal, OperupFile, ProtectionKey, RegFile,
    SearchEntry, Session, SysinfoReport, User, UserCounters, Volume,
)
from smart.formats.writer import write_xml

ZONE = "Europe/Moscow"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def sysinfo(at: datetime, *, db_requests=(10, 5), regnum="123456", legal_name='ООО "Ромашка"', searches=(),
            sessions=2, version="6.4.5.46", key="ok", refusals=(), operup_age=timedelta(hours=5), errors=()):
    """A sysinfo report generated at `at` (UTC) with two users whose DB request counters are given."""
    logins = ["ivanov", "petrova"]
    return SysinfoReport(
        header=Header(generated_at=at, regnum=regnum, legal_name=legal_name, server_version=version,
                      server_arch="x64", server_patch="12", sysinfo_version="2.0.6.15", catalogues=("/docs",)),
        regfile=RegFile(seats=10),
        licences=(Licence(product="Кодекс: Законодательство", expires_on=date(2027, 3, 1), seats=10),
                  Licence(product="Техэксперт: ГОСТы", expires_on=date(2026, 12, 31), seats=10)),
        volumes=(Volume(name="zakon", path=r"D:\Kodeks\DB\zakon", errors=tuple(errors)),),
        operup_files=(OperupFile(path=r"D:\Kodeks\OperUp\30725NKV.ud6", modified_at=at - operup_age),),
        protection_key=ProtectionKey(kind="SenseLock", status=key),
        users=tuple(User(login=login, full_name=login.title(), registered_on=date(2024, 1, 10),
                         last_login_at=at - timedelta(hours=1)) for login in logins),
        sessions=tuple(Session(login=logins[i % 2], started_at=at - timedelta(hours=2, minutes=i), ip=f"10.0.0.{i + 1}",
                               browser="Chrome") for i in range(sessions)),
        login_refusals=tuple(refusals),
        counter_period=CounterPeriod(starts_on=date(at.year, at.month, 1)),
        counters=tuple(UserCounters(login=login, db_requests=n, documents_opened=n * 2, prints=1, saves=0)
                       for login, n in zip(logins, db_requests)),
        searches=tuple(searches),
        components=(Component(kind="kassist", name="kAssist", version="1.2.3"),),
    )


def search(at, text="трудовой договор", results=3, login="ivanov"):
    return SearchEntry(at=at, login=login, text=text, search_type="intelligent", catalogue="/docs", source="ksrv",
                       results=results, duration_s=0.4, error=False)


def refusal(at, login="sidorov"):
    return LoginRefusal(at=at, login=login, code=2008, reason="no_free_seats")


def as_zip(report: SysinfoReport, zone: str = ZONE) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sysinfo.xml", write_xml(report, time_zone=zone))
    return buffer.getvalue()


STATUS = (
    "date: Thu, 26 Nov 2026 10:00:00 GMT\r\n"
    "# TYPE kserver_up gauge\r\nkserver_up 1\r\n"
    'kserver_main_page{service="kodweb",path="/docs"} 0\r\n'
    'kserver_product_control{service="kodweb",path="/docs",status="ok"} 1\r\n'
    'kserver_disk_free_bytes{path="D:"} 5e9\r\n'
    'kserver_disk_size_bytes{path="D:"} 1e11\r\n'
    'kserver_info{version="6.4.5.46"} 1\r\n'
).encode()
