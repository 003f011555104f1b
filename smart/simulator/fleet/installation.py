"""One installation's fixed traits: identity, zone, products, licences, versions, users and habits.

Everything here is derived from (seed, index, start, now) alone, so installation i is the same in a
fleet of 5 and in a fleet of 5,000. Time-varying facts that follow a schedule (server version, seats,
licence expiry, the user population) are stored as schedules and read with the `*_at` methods.
"""
import bisect
from functools import lru_cache
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from smart.simulator import demo

from . import vocab
from .rand import poisson, rng, weighted

UTC = timezone.utc
VERSIONS = ["6.4.2.73", "6.4.3.59", "6.4.4.194", "6.4.5.15", "6.4.5.46", "6.4.5.127", "6.4.5.140",
            "6.4.6.12", "6.4.6.31"]
SYSMON_SINCE = (6, 4, 5, 127)  # /sysmon metrics need this server version (C §4)
KASSIST_SINCE = date(2024, 5, 1)  # sysinfo carries kAssist data from May 2024 (C §5)
PROFILES = [("active", 55), ("low", 20), ("seasonal", 15), ("zero", 10)]
DEMO_PROFILES = {"SHKOLA-45": "seasonal", "MOLOKO-AGRO": "seasonal", "NOTARIUS-PETROVA": "low",
                 "KHLEBOZAVOD-2": "zero", "ZAVOD-ZVEZDA": "active", "BANK-VOLGA": "active"}
DEMO_SEATS = {"NOTARIUS-PETROVA": 5, "SHKOLA-45": 10, "APTEKA-ZDOROVIE": 10, "ZAVOD-ZVEZDA": 50,
              "ADM-SARATOV": 100, "UNIVERSITET-SGU": 75}
LEGACY_TZ = {"-1": "Europe/Moscow", "0": "Europe/Saratov", "+1": "Asia/Yekaterinburg", "+2": "Asia/Omsk"}
ZONES = [("Europe/Moscow", 60), ("Europe/Saratov", 14), ("Asia/Yekaterinburg", 10), ("Asia/Omsk", 8),
         ("Asia/Novosibirsk", 8)]
SEASONS = [frozenset({1, 2, 3, 4}), frozenset({3, 6, 9, 12}), frozenset({9, 10, 11, 12}), frozenset({4, 5, 9, 10})]
# Planted episodes around `now`, by index % 20, so the demo always has something to show (the first
# 20 installations are the demo registry's names): (kind, offset from now in days).
PLANTS = {3: ("expiry", 2), 6: ("expiry", 6), 8: ("expiry", 25), 11: ("operup_stall", -5),
          13: ("key_loss", -0.06), 16: ("db2007", -1), 18: ("expiry", -2)}


@dataclass(slots=True)
class UserSpec:
    idx: int
    login: str
    full_name: str
    phone: str
    email: str
    position: str
    department: str
    card_missing: tuple[str, ...]  # card fields empty until card_filled_on (or forever)
    card_filled_on: date | None
    domain: str | None
    ad_group: str | None
    registered_on: date
    leaves_on: date | None  # stops working in K/TE from this day
    deleted_on: date | None  # account removed from K/TE from this day
    presence: float  # probability of working in K/TE on an ordinary workday
    intensity: float  # actions per session hour, relative
    work_start: int  # seconds after local midnight
    work_len: int  # seconds
    lunch: bool
    allday: bool  # keeps one K/TE session open all day (else a few short ones)
    ip: str
    second_ip: str | None  # a login shared by two people (KodeksSharedLogin)
    browser: str
    catalogue: str
    kassist: bool

    def card(self, d: date) -> dict:
        """The card fields as K/TE shows them on day `d` (missing ones are None)."""
        values = {"full_name": self.full_name, "phone": self.phone, "email": self.email,
                  "position": self.position, "department": self.department}
        if self.card_filled_on is None or d < self.card_filled_on:
            for name in self.card_missing:
                values[name] = None
        return values


@dataclass(slots=True)
class Installation:
    index: int
    name: str
    legal_name: str
    zone_name: str
    zone: ZoneInfo
    manager: tuple[str, str]  # (manager login, e-mail) as in the demo registry
    regnum: str
    host: str
    alias: str | None
    os: str  # "windows" or "linux"
    arch: str
    profile: str  # active, low, seasonal, zero
    season: frozenset
    installed_on: date
    seats_base: int
    products: tuple  # ((name, kind, (volume names...), addon: bool), ...)
    volumes: tuple  # ((name, path), ...)
    operup_files: tuple  # ((path, period_days, local second of the update), ...)
    key_kind: str
    key_serial: str
    licman: tuple | None  # (host, port) when the key sits on a licence manager
    maintenance: tuple | None  # (local start second, duration seconds) of the nightly window
    sysinfo_offset: int  # seconds after the hour when smartupload runs
    status_offset: int  # seconds into each 15-minute slot when smartstatus runs
    status_enabled: bool
    sqlite: bool
    encoding: str
    clock_skew: int  # seconds the server clock is ahead (ClockSkew, E1)
    catalogues: tuple
    ad_domain: str | None
    kassist_since: date | None
    empty_base: float
    tech_interest: float
    anniversary: tuple  # (month, day) of the main contract end
    addon_anniversary: tuple | None
    lead_override: dict  # contract year -> renewal lead days (planted expiries)
    licence_unfilled: bool  # one licence without an expiry date (KodeksDBLicensesZero)
    chronic_noncode: str | None  # volume with "Том базы данных уже подключен" all the time
    stale_reupload: bool  # re-uploads the previous file when the fetch fails (E2)
    seed: object
    plant: tuple | None
    now: datetime
    versions: list = field(default_factory=list)  # [(UTC instant, version)], sorted
    version_times: list = field(default_factory=list)
    users: list = field(default_factory=list)
    cache: dict = field(default_factory=dict)  # memoised schedule look-ups (pure functions of the key)

    # ---- schedules --------------------------------------------------------------------------------

    def version_at(self, t: datetime) -> str:
        pos = bisect.bisect_right(self.version_times, t) - 1
        return self.versions[max(pos, 0)][1]

    def has_sysmon(self, t: datetime) -> bool:
        return tuple(int(x) for x in self.version_at(t).split(".")) >= SYSMON_SINCE

    def contract_end(self, year: int, addon: bool = False) -> date:
        month, day = self.addon_anniversary if addon else self.anniversary
        return date(year, month, min(day, monthrange(year, month)[1]))

    def renewal_at(self, year: int, addon: bool = False) -> datetime:
        """When the reg-file extending the contract that ends in `year` arrives (10:00 local)."""
        key = ("renewal", year, addon)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self._renewal_at(year, addon)
        return found

    def _renewal_at(self, year: int, addon: bool) -> datetime:
        lead = None if addon else self.lead_override.get(year)
        if lead is None:
            lead = weighted(rng(self.seed, self.index, "lead", year, addon),
                            [(None, 85), (-5, 6), (-12, 4), (-30, 2), (2, 3)])
            if lead is None:
                lead = rng(self.seed, self.index, "leaddays", year, addon).randint(4, 40)
        day = self.contract_end(year, addon) - timedelta(days=lead)
        return datetime.combine(day, time(10), tzinfo=self.zone).astimezone(UTC)

    def expiry_at(self, t: datetime, addon: bool = False) -> date:
        """The licence end date the reg-file in force at `t` carries (may be in the past: lapsed)."""
        for year in range(t.year - 1, t.year + 3):
            if self.renewal_at(year, addon) > t:
                return self.contract_end(year, addon)
        return self.contract_end(t.year + 3, addon)

    def seats_at(self, t: datetime) -> int:
        """Seats in the reg-file: renewals sometimes add or remove workplaces (A §3.11)."""
        seats = self.seats_base
        for year in range(self.now.year - 1, t.year + 3):
            if self.renewal_at(year) > t:
                break
            key = ("seats", year)
            if key not in self.cache:
                self.cache[key] = weighted(rng(self.seed, self.index, "seats", year),
                                           [(0, 75), (5, 10), (10, 4), (-5, 8), (-10, 3)])
            seats += self.cache[key]
            seats = max(3, seats)
        return seats

    def users_on(self, d: date) -> list:
        """Accounts registered in K/TE on day `d` (leavers stay until their account is deleted)."""
        return [u for u in self.users if u.registered_on <= d and (u.deleted_on is None or d < u.deleted_on)]

    def local_date(self, t: datetime) -> date:
        return t.astimezone(self.zone).date()


def build(seed, index: int, start: date, now: datetime) -> Installation:
    """Installation `index` of the fleet `seed` (independent of the fleet's size)."""
    r = rng(seed, index, "installation")
    name, legal = _identity(seed, index)
    if index < len(demo.PUSHED):
        zone_name = LEGACY_TZ.get(demo.TZ[index % len(demo.TZ)], "Europe/Moscow")
    else:
        zone_name = weighted(r, ZONES)
    login, _full, email = demo.MANAGERS[index % len(demo.MANAGERS)]
    profile = DEMO_PROFILES.get(name) or weighted(r, PROFILES)
    os_name = "linux" if r.random() < 0.25 else "windows"
    seats = weighted(r, [(5, 12), (10, 18), (15, 14), (20, 14), (25, 8), (30, 8), (50, 10), (75, 6),
                         (100, 5), (150, 3), (200, 2)])
    seats = DEMO_SEATS.get(name, seats)
    legal_kinds = r.random() < 0.85
    tech_kinds = not legal_kinds or r.random() < 0.55
    pool = [p for p in vocab.PRODUCTS if (p[1] == "legal" and legal_kinds) or (p[1] == "tech" and tech_kinds)]
    chosen = r.sample(pool, min(len(pool), r.randint(2, 6)))
    base_dir = "/opt/kodeks/base" if os_name == "linux" else (
        r"\\nas01\kodeks\base" if r.random() < 0.2 else r"D:\Kodeks\Techexpert-Intranet\Base")
    sep = "/" if os_name == "linux" else "\\"
    products, volumes, number = [], [], 1
    for k, (pname, kind) in enumerate(chosen):
        names = []
        for _ in range(r.randint(1, 3)):
            vol = f"{number:04d}"
            number += r.randint(1, 9)
            names.append(vol)
            volumes.append((vol, f"{base_dir}{sep}{vol}"))
        products.append((pname, kind, tuple(names), k == len(chosen) - 1 and len(chosen) > 2 and r.random() < 0.3))
    operup_dir = "/opt/kodeks/OperUp" if os_name == "linux" else r"D:\Kodeks\Techexpert-Intranet\OperUp"
    operups = tuple(
        (f"{operup_dir}{sep}{r.randint(1000, 39999)}{code}.{'udt' if code == 'thes' else 'ud6'}",
         7 if code == "thes" else 1, r.randint(1 * 3600, 6 * 3600))
        for code in r.sample(vocab.OPERUP_CODES, r.randint(2, 6))
    )
    key_kind = "SenseLock" if r.random() < 0.88 else "software"
    lan_host = f"192.168.{r.randint(0, 20)}.{r.randint(2, 250)}"
    host = weighted(r, [(f"{name.lower()}-srv:8080", 3), ("localhost:80", 2), (f"{lan_host}:80", 3)])
    licman = (f"192.168.{r.randint(0, 20)}.{r.randint(2, 250)}", 5555)
    licman = licman if key_kind == "SenseLock" and r.random() < 0.2 else None
    nightly = (r.choice([2, 3, 3, 4, 5]) * 3600 + r.choice([0, 900, 1800]), r.randint(15, 50) * 60)
    plant = PLANTS.get(index % 20)
    inst = Installation(
        index=index, name=name, legal_name=legal, zone_name=zone_name, zone=ZoneInfo(zone_name),
        manager=(login, email), regnum=str(r.randint(100000, 999999)),
        host=host,
        alias=r.choice([None, "Главный сервер", "Сервер Кодекс", "Техэксперт"]), os=os_name,
        arch="x86_64" if os_name == "linux" else r.choice(["x64", "x64", "x86"]), profile=profile,
        season=r.choice(SEASONS), installed_on=start - timedelta(days=r.randint(365, 8 * 365)),
        seats_base=seats, products=tuple(products), volumes=tuple(volumes), operup_files=operups,
        key_kind=key_kind, key_serial=str(r.randint(7000000, 7999999)),
        licman=licman, maintenance=nightly if r.random() < 0.6 else None,
        sysinfo_offset=r.randint(0, 55 * 60), status_offset=r.randint(0, 14 * 60),
        status_enabled=r.random() < 0.75, sqlite=r.random() < 0.05,
        encoding="windows-1251" if os_name == "windows" and r.random() < 0.1 else "utf-8",
        clock_skew=r.choice([420, -360]) if r.random() < 0.05 else 0,
        catalogues=tuple(vocab.CATALOGUES) if seats >= 30 and r.random() < 0.5 else ("/docs",),
        ad_domain=(name.split("-")[0] + ".LOCAL") if seats >= 15 and r.random() < 0.45 else None,
        kassist_since=max(KASSIST_SINCE, start + timedelta(days=r.randint(-400, 300))) if r.random() < 0.4 else None,
        empty_base=r.uniform(0.03, 0.08), tech_interest=_tech_interest(chosen),
        anniversary=(r.randint(1, 12), r.randint(1, 28)),
        addon_anniversary=(r.randint(1, 12), r.randint(1, 28)) if products[-1][3] else None,
        lead_override={}, licence_unfilled=index % 15 == 7,
        chronic_noncode=volumes[0][0] if r.random() < 0.1 else None, stale_reupload=r.random() < 0.15,
        seed=seed, plant=plant, now=now,
    )
    if plant and plant[0] == "expiry":
        # The contract ending `offset` days from now; renewed a few days after it (2- and 7-day alerts
        # fire, the expired one shows error 2021 until the late renewal).
        end = (now.astimezone(inst.zone) + timedelta(days=plant[1])).date()
        inst.anniversary = (end.month, end.day)
        inst.lead_override = {end.year: -3 if plant[1] > 0 else -5}
    inst.versions = _versions(r, start, inst.zone)
    inst.version_times = [moment for moment, _ in inst.versions]
    inst.users = _population(seed, inst, start)
    return inst


def _tech_interest(products) -> float:
    """Share of technical queries: engineers at tech-only sites, some lawyers looking for norms."""
    kinds = {kind for _name, kind in products}
    return {frozenset({"tech"}): 0.85, frozenset({"legal"}): 0.12}.get(frozenset(kinds), 0.45)


def _identity(seed, index: int) -> tuple[str, str]:
    """Slug and legal name: the demo's names first, then a permutation of kind x word (no clashes)."""
    if index < len(demo.PUSHED):
        name = demo.PUSHED[index]
        return name, vocab.DEMO_LEGAL_NAMES.get(name, name)
    j = index - len(demo.PUSHED)
    names = _generated_names(seed)
    name, legal = names[j % len(names)]
    rounds = j // len(names)
    return (f"{name}-{rounds + 1}" if rounds else name), legal


@lru_cache(maxsize=16)
def _generated_names(seed) -> tuple:
    """Every kind x word name, in a per-seed order, without the demo's names: never clashes and does
    not depend on how many installations the fleet has."""
    combos = [(f"{kind}-{word}", f'{form} "{kind_ru} {word_ru}"' if kind_ru else f'{form} "{word_ru}"')
              for kind, kind_ru, form in vocab.ORG_KINDS for word, word_ru in vocab.ORG_WORDS]
    rng(seed, "names").shuffle(combos)
    return tuple(c for c in combos if c[0] not in demo.PUSHED)


def _versions(r, start: date, zone) -> list:
    index = weighted(r, [(2, 15), (3, 20), (4, 25), (5, 25), (6, 15)])
    moment = datetime.combine(start - timedelta(days=400), time(19), tzinfo=zone).astimezone(UTC)
    timeline = [(datetime(1970, 1, 1, tzinfo=UTC), VERSIONS[index])]
    horizon = moment + timedelta(days=6 * 365)
    pace = r.choice([1, 1, 1.5, 2.5])  # some clients upgrade only when they must
    while index < len(VERSIONS) - 1:
        moment += timedelta(days=int(r.randint(150, 420) * pace), minutes=r.randint(0, 180))
        if moment > horizon:
            break
        index = min(len(VERSIONS) - 1, index + (2 if r.random() < 0.15 else 1))
        timeline.append((moment, VERSIONS[index]))
    return timeline


def _population(seed, inst: Installation, start: date) -> list:
    """Accounts from installation day to five years after `start`: joins and leaves, mean-reverting."""
    r = rng(seed, inst.index, "users")
    ratio = {"active": (0.6, 1.4), "low": (0.4, 1.0), "seasonal": (0.6, 1.5), "zero": (0.3, 0.8)}[inst.profile]
    if inst.profile == "active" and r.random() < 0.2:
        ratio = (1.5, 2.1)  # more people than seats can carry: refused logins at peaks (2008)
    target = max(2, min(260, round(inst.seats_base * r.uniform(*ratio))))
    card_rate = r.uniform(0.3, 0.97)
    users, logins = [], set()
    day, end = inst.installed_on, start + timedelta(days=5 * 365)
    for _ in range(max(1, round(target * 0.7))):
        users.append(_user(r, inst, len(users), day + timedelta(days=r.randint(0, 20)), card_rate, logins))
    while day < end:
        active = [u for u in users if u.leaves_on is None]
        for u in active:
            if r.random() < 0.011:
                u.leaves_on = day + timedelta(days=r.randint(0, 29))
                if r.random() < 0.75:  # most accounts are removed some time after the person left
                    u.deleted_on = u.leaves_on + timedelta(days=r.randint(20, 300))
        joins = poisson(r, max(0.05, 0.011 * target + 0.12 * (target - len(active))))
        for _ in range(joins):
            users.append(_user(r, inst, len(users), day + timedelta(days=r.randint(0, 29)), card_rate, logins))
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return users


def _user(r, inst: Installation, idx: int, registered: date, card_rate: float, logins: set) -> UserSpec:
    female = r.random() < 0.6
    surname = r.choice(vocab.SURNAMES)
    first = r.choice(vocab.FEMALE_NAMES if female else vocab.MALE_NAMES)
    patronymic = r.choice(vocab.PATRONYMIC_ROOTS) + ("на" if female else "ич")
    surname = vocab.feminine(surname) if female else surname
    if r.random() < 0.12:
        base = r.choice(vocab.ROLE_LOGINS)
    else:
        base = vocab.translit(surname) + "_" + vocab.translit(first[0] + patronymic[0])
    login, n = base, 1
    while login in logins:
        n += 1
        login = f"{base}{n}"
    logins.add(login)
    missing = tuple(f for f in ("full_name", "phone", "email", "position", "department") if r.random() > card_rate)
    presence = {"active": r.uniform(0.35, 0.9), "low": r.uniform(0.04, 0.25), "seasonal": r.uniform(0.4, 0.9),
                "zero": 0.002}[inst.profile]
    domain = inst.ad_domain
    city = r.choice(["8452", "843", "846", "343", "3812", "383", "495"])
    phone = f"+7 ({city}) {r.randint(20, 99)}-{r.randint(10, 99)}-{r.randint(10, 99)}"
    ip = f"10.{inst.index % 250}.{r.randint(0, 15)}.{r.randint(2, 250)}"
    return UserSpec(
        idx=idx, login=login, full_name=f"{surname} {first} {patronymic}",
        phone=phone,
        email=f"{vocab.translit(surname)}@{inst.name.lower().replace('-', '')}.ru",
        position=r.choice(vocab.POSITIONS), department=r.choice(vocab.DEPARTMENTS), card_missing=missing,
        card_filled_on=registered + timedelta(days=r.randint(3, 150)) if missing and r.random() < 0.35 else None,
        domain=domain, ad_group=(r.choice(vocab.AD_GROUPS) if r.random() < 0.8 else "НеОпределён") if domain else None,
        registered_on=registered, leaves_on=None, deleted_on=None, presence=presence,
        intensity=r.lognormvariate(0.0, 0.6) * (0.5 if inst.profile == "low" else 1.0),
        work_start=r.choice([8, 8.5, 9, 9, 9.5, 10]) * 3600, work_len=int(r.uniform(7.5, 9.5) * 3600),
        lunch=r.random() < 0.7, allday=r.random() < 0.4, ip=ip,
        second_ip=f"10.{inst.index % 250}.{r.randint(16, 31)}.{r.randint(2, 250)}" if r.random() < 0.03 else None,
        browser=r.choice(vocab.BROWSERS), catalogue=r.choice(inst.catalogues),
        kassist=inst.kassist_since is not None and r.random() < 0.4,
    )
