"""Small, realistic reports and files for the formats tests (built in code, never checked-in blobs)."""
import io
import zipfile
from datetime import date, datetime, timezone

from smart.formats.model import (
    Component, CounterPeriod, DbError, Header, KassistLinkDay, Licence, LicenceManager, LoginRefusal,
    OperupFile, ProtectionKey, RegFile, SearchEntry, SeatUsage, Session, SysinfoReport, User,
    UserCounters, Volume,
)
from smart.formats.writer import write_xml

ZONE = "Europe/Samara"  # UTC+4, the legacy "Saratov" reference offset
RECEIVED = datetime(2024, 5, 14, 7, 5, tzinfo=timezone.utc)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def make_report(users: int = 3, searches: int = 4) -> SysinfoReport:
    """A report with every section filled, Cyrillic included."""
    return SysinfoReport(
        header=Header(
            generated_at=utc(2024, 5, 14, 6, 0), report_id="6f1c2a9e-1b7d-4a53-9a3e-0c7f1e2d3b4a",
            host="kodeks.example.ru:8080", alias="Главный сервер", distributor="0042kodeks",
            legal_name='ООО "Ромашка"', regnum="123456", server="6.4.5.46 (x64) [patch 12]",
            server_version="6.4.5.46", server_arch="x64", server_patch="12", sysinfo_version="2.0.6.15",
            catalogues=("/docs", "kodeks02"),
        ),
        regfile=RegFile(seats=50, expires_on=date(2025, 3, 31)),
        licences=(Licence("Кодекс: Законодательство", "vol01", date(2025, 3, 31), 50),
                  Licence("Техэксперт: Нормы", None, None, None)),
        volumes=(
            Volume("vol01", r"D:\Kodeks\Base\vol01", (DbError("product", 2007, 4103, "Нет прав на копию БД"),)),
            Volume("vol02", r"\\nas\kodeks\vol02", (DbError("volume", None, None, "Том базы данных уже подключен"),
                                                     DbError("os", 53, None, "Сетевой путь не найден"))),
            Volume("vol03", r"D:\Kodeks\Base\vol03", ()),
        ),
        operup_files=(OperupFile(r"D:\Kodeks\Techexpert-Intranet\OperUp\30725DNK.ud6", utc(2024, 5, 13, 20, 30)),),
        protection_key=ProtectionKey("SenseLock", "ok", "7700123", None),
        licence_manager=LicenceManager("licman.local", 5555, "ok", None),
        users=tuple(
            User(f"user{i}", f"Иванов Иван {i}", "+7 900 000-00-00", f"user{i}@example.ru", "юрист",
                 "Правовой отдел", "CORP", "НеОпределён", date(2023, 1, 10), utc(2024, 5, 14, 5, i))
            for i in range(users)
        ),
        seat_usage=SeatUsage(used=2),
        sessions=(Session("user0", utc(2024, 5, 14, 5, 0), "10.0.0.15", "Mozilla/5.0 (Windows NT 10.0)", "CORP"),
                  Session("user1", utc(2024, 5, 14, 5, 30), "fe80::1", "Chrome/124", None)),
        login_refusals=(LoginRefusal(utc(2024, 5, 14, 4, 59), "user2", 2008, "no_free_seats",
                                     "Превышено максимальное число пользователей", 3),),
        counter_period=CounterPeriod(date(2024, 5, 1)),
        counters=tuple(UserCounters(f"user{i}", 120 + i, 5, 40, 3, 7, 12, 4, 2, 30, 20, 10) for i in range(users)),
        searches=tuple(
            SearchEntry(utc(2024, 5, 14, 5, i % 60, 30), f"user{i % 3}", f"налоговый кодекс статья {i}",
                        "intelligent" if i % 2 else "attribute", "/docs", "ksrv" if i % 3 else "kassist",
                        i % 5, 0.25 * (i + 1), i % 7 == 6)
            for i in range(searches)
        ),
        kassist_links=(KassistLinkDay(date(2024, 5, 13), 10, 2, 15, 12),),
        components=(Component("kassist", "kAssist", "1.4.2"), Component("sysinfo", None, "2.0.6.15")),
    )


def report_xml(report: SysinfoReport | None = None, encoding: str = "utf-8") -> bytes:
    return write_xml(report or make_report(), time_zone=ZONE, encoding=encoding)


def zip_of(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def parse(data, **kwargs):
    """parse_report with the sample zone and receipt time."""
    from smart.formats import parse_report

    kwargs.setdefault("time_zone", ZONE)
    kwargs.setdefault("received_at", RECEIVED)
    return parse_report(data, **kwargs)


def failure(data, **kwargs):
    """The ParseFailure that parsing `data` raises (fails the test if it parses)."""
    from smart.formats import ParseFailure

    try:
        parse(data, **kwargs)
    except ParseFailure as exc:
        return exc
    raise AssertionError("expected a ParseFailure")


def deflate_zeros_zip(size: int, name: str = "sysinfo.xml") -> bytes:
    """A zip whose one member is `size` zero bytes, built without ever holding them in memory.

    Deflate output after a full flush does not depend on earlier input, so the compressed form of 1 MiB
    of zeros can be repeated; the CRC is computed chunk by chunk.
    """
    import struct
    import zlib

    chunk = 1 << 20
    assert size % chunk == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(b"\0" * chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = zlib.compressobj(9, zlib.DEFLATED, -15)
    assert again.compress(b"\0" * chunk) + again.flush(zlib.Z_FULL_FLUSH) == piece
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    crc, zeros = 0, b"\0" * chunk
    for _ in range(size // chunk):
        crc = zlib.crc32(zeros, crc)
    data = piece * (size // chunk) + tail
    raw_name = name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw_name), 0)
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                          len(raw_name), 0, 0, 0, 0, 0, 0)
    directory = central + raw_name
    offset = len(local) + len(raw_name) + len(data)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), offset, 0)
    return local + raw_name + data + directory + end
