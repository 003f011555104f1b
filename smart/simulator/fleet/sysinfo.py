"""An installation's state at an instant, as a normalized SysinfoReport, and its zip as uploaded.

The report is built in the writer's canonical form (stripped text, UTC instants, every list present),
so `parse_report(sysinfo_zip(...))` gives back exactly the dataclass built here. A few servers' clocks
run minutes off (ClockSkew, E1): that shows in the header's generation time (and the .status date)
only; event times inside the report are true times.
"""
import io
import zipfile
from datetime import datetime, time, timedelta, timezone

from smart.formats.model import (
    Component, CounterPeriod, DbError, Header, KassistLinkDay, Licence, LicenceManager, LoginRefusal,
    OperupFile, ProtectionKey, RegFile, SearchEntry, SeatUsage, Session, SysinfoReport, User, UserCounters,
    Volume,
)
from smart.formats.writer import sqlite_bytes, write_xml

from .episodes import ERR_2021, NO_CODE_CONNECTED
from .rand import stable_uuid, unit

UTC = timezone.utc
REFUSAL_TEXT = {"no_free_seats": "Ошибка защиты (2008): превышено максимальное число пользователей",
                "auth": "Неверное имя пользователя или пароль"}
KEY_TEXT = {4111: "Привязка SenseLock: ошибка защиты 4111, ключ не подключен",
            4113: "Привязка SenseLock: ошибка защиты 4113, ключ не найден на менеджере лицензий"}
ERROR_PAGE_503 = ("<html><head><title>503 Service Unavailable</title></head><body><h1>Сервер на "
                  "обслуживании</h1><p>Выполняется обновление системы. Повторите попытку позже.</p></body></html>")


def sysinfo_version(server_version: str) -> str:
    parts = tuple(int(x) for x in server_version.split("."))
    if parts < (6, 4, 5, 0):
        return "2.0.6.12"
    return "2.0.6.13" if parts < (6, 4, 5, 127) else "2.0.6.15"


def server_patch(inst, version: str) -> str | None:
    x = unit(inst.seed, inst.index, "patch", version)
    return str(int(x * 100) + 1) if x < 0.3 else None


def licence_expired(inst, t: datetime, addon: bool = False) -> bool:
    return inst.expiry_at(t, addon) < inst.local_date(t)


def volume_errors(inst, episodes, t: datetime) -> dict:
    """{volume name: [(group, code, alias, message)]} of the errors K/TE shows at t."""
    paths = dict(inst.volumes)
    found: dict = {}
    if inst.chronic_noncode:
        found.setdefault(inst.chronic_noncode, []).append(NO_CODE_CONNECTED)
    for product in inst.products:
        if licence_expired(inst, t, addon=product[3]):
            for vol in product[2]:
                found.setdefault(vol, []).append(ERR_2021)
    for ep in episodes.active(t, "db_error"):
        group, code, alias, message = ep.data["error"]
        for vol in ep.data["volumes"]:
            name = vol[0] if isinstance(vol, tuple) else vol
            text = message.format(path=paths.get(name, name), name=name)
            entry = (group, code, alias, text)
            if entry not in found.setdefault(name, []):
                found[name].append(entry)
    return found


def operup_mtime(inst, episodes, act, path: str, period: int, update_sec: int, t: datetime) -> datetime:
    """When the operup file was last replaced: nightly (weekly for thesauri), unless updates stalled."""
    d, _sec = act.split(t)
    stalls = episodes.overlapping(t - timedelta(days=60), t, "operup_stall")
    day = d
    for _ in range(200):
        if period == 7:
            day -= timedelta(days=(day.weekday() - 1) % 7)  # Tuesday nights
        moment = act.midnight(day) + timedelta(seconds=update_sec + int(unit(inst.seed, inst.index, path, day) * 900))
        stall = next((s for s in stalls if s.start <= moment < s.end), None)
        if moment <= t and stall is None:
            return moment
        if stall is not None and stall.start.astimezone(inst.zone).date() < day:
            day = stall.start.astimezone(inst.zone).date()  # that day's update may precede the stall
        else:
            day -= timedelta(days=1)
    return moment


def key_state(inst, episodes, t: datetime):
    """(ProtectionKey, LicenceManager | None, key episode or None) at t."""
    lost = next(iter(episodes.active(t, "key_loss")), None)
    if lost is None:
        key = ProtectionKey(inst.key_kind, "ok", inst.key_serial, None)
    else:
        key = ProtectionKey(inst.key_kind, "not_found", inst.key_serial, KEY_TEXT[lost.data["code"]])
    lm = None
    if inst.licman:
        host, port = inst.licman
        lm = (LicenceManager(host, port, "ok", None) if lost is None else
              LicenceManager(host, port, "unreachable", "Не удалось получить адрес менеджера лицензий (4116)"))
    return key, lm, lost


def build_report(fleet, i: int, t: datetime, window: timedelta) -> SysinfoReport:
    """The sysinfo of installation i at instant t (searches and refusals of the last `window`)."""
    inst, act, eps = fleet.installation(i), fleet.activity(i), fleet.episodes(i)
    t = t.astimezone(UTC).replace(microsecond=0)
    d, _sec = act.split(t)
    version = inst.version_at(t)
    patch = server_patch(inst, version)
    header = Header(
        generated_at=t + timedelta(seconds=inst.clock_skew), report_id=stable_uuid(inst.seed, i, t.isoformat()),
        host=inst.host, alias=inst.alias, distributor=fleet.distributor, legal_name=inst.legal_name,
        regnum=inst.regnum, server=f"{version} ({inst.arch})" + (f" [patch {patch}]" if patch else ""),
        server_version=version, server_arch=inst.arch, server_patch=patch, sysinfo_version=sysinfo_version(version),
        catalogues=inst.catalogues,
    )
    seats = inst.seats_at(t)
    expiry = inst.expiry_at(t)
    licences = []
    for n, (name, _kind, vols, addon) in enumerate(inst.products):
        ends = inst.expiry_at(t, addon=True) if addon else expiry
        if inst.licence_unfilled and n == len(inst.products) - 1:
            ends = None  # a licence block without a date (KodeksDBLicensesZero)
        licences.append(Licence(name, vols[0], ends, seats))
    errors = volume_errors(inst, eps, t)
    volumes = tuple(Volume(name, path, tuple(DbError(*e) for e in errors.get(name, ()))) for name, path in inst.volumes)
    operups = tuple(OperupFile(path, operup_mtime(inst, eps, act, path, period, sec, t))
                    for path, period, sec in inst.operup_files)
    key, lm, _lost = key_state(inst, eps, t)
    logins = act.last_logins(t)
    users = []
    for u in inst.users_on(d):
        card = u.card(d)
        users.append(User(u.login, card["full_name"], card["phone"], card["email"], card["position"],
                          card["department"], u.domain, u.ad_group, u.registered_on, logins.get(u.idx)))
    by_idx = inst.users
    sessions = tuple(Session(by_idx[idx].login, start, ip, by_idx[idx].browser, by_idx[idx].domain)
                     for idx, start, ip in sorted(act.sessions_at(t), key=lambda s: (s[1], s[0], s[2])))
    refusals = tuple(LoginRefusal(at, by_idx[idx].login, code, reason, REFUSAL_TEXT[reason], None)
                     for at, idx, code, reason in act.refusals_between(t - window, t))
    period_start, counts = act.counters_at(t)
    counters = tuple(UserCounters(by_idx[idx].login, *counts[idx]) for idx in sorted(counts))
    searches = tuple(SearchEntry(at, by_idx[idx].login, text, stype, cat, source, results, duration, error)
                     for at, idx, text, stype, cat, source, results, duration, error
                     in act.searches_between(t - window, t))
    kassist = None
    components = [Component("ksrv", "Kodeks server", version),
                  Component("sysinfo", "sysinfo", sysinfo_version(version))]
    if inst.kassist_since is not None and d >= inst.kassist_since:
        kassist = tuple(KassistLinkDay(*row) for row in act.kassist_days(d))
        components.append(Component("kassist", "kAssist", "1.5.0" if d.year >= 2025 else "1.4.2"))
    if inst.licman:
        components.append(Component("licman", "Менеджер лицензий", "2.1.3"))
    return SysinfoReport(
        header=header, regfile=RegFile(seats, expiry), licences=tuple(licences), volumes=volumes,
        operup_files=operups, protection_key=key, licence_manager=lm, users=tuple(users),
        seat_usage=SeatUsage(len(sessions)), sessions=sessions, login_refusals=refusals,
        counter_period=CounterPeriod(period_start), counters=counters, searches=searches,
        kassist_links=kassist, components=tuple(components),
    )


def zip_report(inst, report: SysinfoReport) -> bytes:
    """The zip smartupload uploads: one member, XML (or SQLite for some), with a fixed timestamp."""
    if inst.sqlite:
        member, data = "sysinfo.db", sqlite_bytes(report, time_zone=inst.zone_name)
    else:
        member, data = "sysinfo.xml", write_xml(report, time_zone=inst.zone_name, encoding=inst.encoding)
    local = report.header.generated_at.astimezone(inst.zone)
    info = zipfile.ZipInfo(member, date_time=(local.year, local.month, local.day, local.hour, local.minute,
                                              local.second - local.second % 2))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 0  # the same bytes whatever OS generates them
    info.external_attr = 0x20  # FILE_ATTRIBUTE_ARCHIVE, as Windows zips carry
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def maintenance_at(inst, episodes, t: datetime) -> bool:
    """In the nightly maintenance window, or in an overrunning one."""
    if inst.maintenance:
        begin, length = inst.maintenance
        local = t.astimezone(inst.zone)
        start = datetime.combine(local.date(), time(), tzinfo=inst.zone) + timedelta(seconds=begin)
        if start <= local < start + timedelta(seconds=length):
            return True
    return bool(episodes.active(t, "long_maintenance"))
