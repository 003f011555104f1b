"""The normalized report: what every parser returns, whatever the file looked like.

Conventions:
- every instant is an aware datetime in UTC; dates that are not instants (licence expiry, registration
  day, kAssist statistics day) are plain `date`s in the installation's calendar;
- a field the file did not carry is None ("not available"), never 0 (spec D E16);
- a list section the file did not carry is None; a section that is present but empty is ();
- the classes use slots and are not frozen because a frozen __init__ costs ~7x per record and a large
  report has ~10^5 records; treat them as immutable.
"""
from dataclasses import dataclass, field, fields
from datetime import date, datetime

# ---- sysinfo: single blocks ---------------------------------------------------------------------


@dataclass(slots=True)
class Header:
    """Report and installation identity: when, which server, which reg-file, which catalogues."""

    generated_at: datetime | None = None  # report generation time (UTC, from local wall-clock)
    report_id: str | None = None  # GUID of the report
    host: str | None = None  # installation address[:port] as the server knows itself
    alias: str | None = None  # installation alias
    distributor: str | None = None  # distributor (dealer) tag
    legal_name: str | None = None  # organisation / legal entity
    regnum: str | None = None  # reg-file registration number
    server: str | None = None  # raw server string, e.g. "6.4.5.46 (x64) [patch 12]"
    server_version: str | None = None
    server_arch: str | None = None
    server_patch: str | None = None
    sysinfo_version: str | None = None  # sysinfo module version, e.g. "2.0.6.15"
    catalogues: tuple[str, ...] | None = None  # e.g. ("/docs", "kodeks02")


@dataclass(slots=True)
class RegFile:
    """The registration file: licensed seats and its own validity."""

    seats: int | None = None  # licensed workplaces ("number in the key")
    expires_on: date | None = None  # validity end of the reg-file itself


@dataclass(slots=True)
class SeatUsage:
    """Occupied licences at the snapshot, when the server states the number itself."""

    used: int | None = None  # occupied seats as counted by the server (else len(sessions))


@dataclass(slots=True)
class ProtectionKey:
    """The SenseLock protection key block (alerts #40 and #42)."""

    kind: str | None = None  # "SenseLock"
    status: str | None = None  # "ok", "not_found", "error", or the vendor's word
    serial: str | None = None  # key inventory number
    message: str | None = None

    @property
    def working(self) -> bool:
        """Whether the status word says the key works."""
        return (self.status or "").lower() in ("ok", "found", "working", "active")


@dataclass(slots=True)
class LicenceManager:
    """The licence manager (Licman) the installation uses."""

    host: str | None = None
    port: int | None = None
    status: str | None = None
    message: str | None = None


@dataclass(slots=True)
class CounterPeriod:
    """The period the per-user counters cover."""

    starts_on: date | None = None  # first day of the period the per-user counters accumulate over


# ---- sysinfo: records ---------------------------------------------------------------------------


@dataclass(slots=True)
class Licence:
    """A product licence from the reg-file, per product and (optionally) DB volume."""

    product: str | None = None
    volume: str | None = None  # DB volume the licence covers, if per volume
    expires_on: date | None = None  # None = block present but not filled (alert KodeksDBLicensesZero)
    seats: int | None = None


@dataclass(slots=True)
class DbError:
    """An error sysinfo reports for a DB volume (D §2), kept raw."""

    group: str | None = None  # regfile, product, volume, operup, os (D §2.1-2.5)
    code: int | None = None  # None = "NoCode" (e.g. "volume already connected")
    alias: int | None = None  # alternative code, e.g. 4103 for 2007
    message: str | None = None


@dataclass(slots=True)
class Volume:
    """A connected DB volume and its errors."""

    name: str | None = None
    path: str | None = None
    errors: tuple[DbError, ...] | None = None


@dataclass(slots=True)
class OperupFile:
    """An operative-update (operup) file and its modification time."""

    path: str | None = None
    modified_at: datetime | None = None


@dataclass(slots=True)
class User:
    """A K/TE account with its card, AD membership and activity dates."""

    login: str | None = None
    full_name: str | None = None
    phone: str | None = None
    email: str | None = None
    position: str | None = None
    department: str | None = None
    domain: str | None = None  # AD domain
    ad_group: str | None = None  # AD group ("НеОпределён" is kept as is)
    registered_on: date | None = None
    last_login_at: datetime | None = None

    @property
    def card_filled(self) -> bool:
        """A filled card has all five of full name, phone, e-mail, position, department (00-product)."""
        return all((self.full_name, self.phone, self.email, self.position, self.department))


@dataclass(slots=True)
class Session:
    """A current session, i.e. an occupied licence seat."""

    login: str | None = None
    started_at: datetime | None = None  # login time on the server
    ip: str | None = None
    browser: str | None = None
    domain: str | None = None


@dataclass(slots=True)
class LoginRefusal:
    """A refused login (no free seats, or an authorisation error)."""

    at: datetime | None = None
    login: str | None = None
    code: int | None = None  # 2008 (4106) = no free seats; others = authorisation errors
    reason: str | None = None  # "no_free_seats", "auth", or the vendor's word
    message: str | None = None
    count: int | None = None  # refusals folded into this entry; None = 1


@dataclass(slots=True)
class UserCounters:
    """Per-user counters accumulated since CounterPeriod.starts_on (month-to-date)."""

    login: str | None = None
    db_requests: int | None = None  # via the K/TE server
    kassist_requests: int | None = None  # via kAssist (from May 2024)
    documents_opened: int | None = None  # counted ("licensed") documents
    documents_free: int | None = None  # free documents
    services: int | None = None
    link_follows: int | None = None
    saves: int | None = None  # save to disk, open in external app, e-mail
    prints: int | None = None
    searches: int | None = None
    searches_intelligent: int | None = None
    searches_attribute: int | None = None

    @property
    def activity(self) -> int:
        """Sum of all user actions (00-product "Activity"); missing counters count as 0 here."""
        parts = (self.db_requests, self.documents_opened, self.services, self.link_follows,
                 self.saves, self.prints, self.searches, self.kassist_requests)
        return sum(p or 0 for p in parts)


@dataclass(slots=True)
class SearchEntry:
    """One search query from the search log."""

    at: datetime | None = None
    login: str | None = None
    text: str | None = None
    search_type: str | None = None  # "intelligent" or "attribute"
    catalogue: str | None = None
    source: str | None = None  # "ksrv" or "kassist"
    results: int | None = None  # 0 = empty search
    duration_s: float | None = None
    error: bool | None = None  # the engine failed to parse/process the query


@dataclass(slots=True)
class KassistLinkDay:
    """kAssist link statistics for one day (from May 2024)."""

    day: date | None = None
    unique_links: int | None = None  # unique links on adding
    unmatched_links: int | None = None  # links with no match
    all_links: int | None = None  # all links added
    active_links: int | None = None  # checked active links


@dataclass(slots=True)
class Component:
    """A component and its version (kAssist, sysinfo module, ...)."""

    kind: str | None = None  # "kassist", "sysinfo", "licman", ...
    name: str | None = None
    version: str | None = None


@dataclass(slots=True)
class UnknownElement:
    """Something in the file the mapping does not know: where, how often, and a sample."""

    path: str  # "/sysinfo/users/user/nickname", "/sysinfo/users/user/@nick", "sqlite:users.nick"
    count: int
    sample: str = ""  # the first occurrence, truncated: kept so a mapping can be written for it


# ---- the whole report ---------------------------------------------------------------------------


@dataclass(slots=True)
class SysinfoReport:
    """A parsed sysinfo, whatever its format; see the module docstring for the conventions."""

    header: Header
    source_format: str = "xml"  # "xml" or "sqlite"
    format_version: str | None = None
    mapping: str = ""  # "<name>@<version>" of the mapping used
    regfile: RegFile | None = None
    licences: tuple[Licence, ...] | None = None
    volumes: tuple[Volume, ...] | None = None
    operup_files: tuple[OperupFile, ...] | None = None
    protection_key: ProtectionKey | None = None
    licence_manager: LicenceManager | None = None
    users: tuple[User, ...] | None = None
    seat_usage: SeatUsage | None = None
    sessions: tuple[Session, ...] | None = None
    login_refusals: tuple[LoginRefusal, ...] | None = None
    counter_period: CounterPeriod | None = None
    counters: tuple[UserCounters, ...] | None = None
    searches: tuple[SearchEntry, ...] | None = None
    kassist_links: tuple[KassistLinkDay, ...] | None = None
    components: tuple[Component, ...] | None = None
    unknown: tuple[UnknownElement, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def seats_used(self) -> int | None:
        """Occupied seats: the stated number, else the number of current sessions."""
        if self.seat_usage is not None and self.seat_usage.used is not None:
            return self.seat_usage.used
        return None if self.sessions is None else len(self.sessions)

    def content(self) -> dict:
        """The data sections only (no provenance, warnings or unknowns): what round-trips must keep."""
        return {name: getattr(self, name) for name in SECTIONS}


# ---- .status (sysmon metrics) -------------------------------------------------------------------


@dataclass(slots=True)
class Sample:
    """One Prometheus sample."""

    name: str
    labels: dict[str, str]
    value: float
    timestamp: float | None = None


@dataclass(slots=True)
class MetricFamily:
    """A Prometheus metric family with its samples."""

    name: str
    type: str
    documentation: str
    samples: tuple[Sample, ...]


@dataclass(slots=True)
class StatusReport:
    """A parsed .status upload (sysmon metrics)."""

    observed_at: datetime  # UTC: the K/TE server's HTTP Date, or the receipt time when absent (E22)
    time_source: str  # "date_header" or "received_at"
    http_status: int | None
    families: tuple[MetricFamily, ...]
    warnings: tuple[str, ...] = ()

    def samples(self, name: str) -> list[Sample]:
        """All samples named `name` (empty when the series is missing)."""
        return [s for fam in self.families for s in fam.samples if s.name == name]

    def value(self, name: str, **labels: str) -> float | None:
        """The first sample of `name` whose labels include `labels`; None when the series is missing."""
        for s in self.samples(name):
            if all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
        return None


# ---- what parse_report returns ------------------------------------------------------------------


@dataclass(slots=True)
class ParsedReport:
    """What parse_report returns: a sysinfo or a status, with where it came from."""

    kind: str  # "sysinfo" or "status"
    source_format: str  # "xml", "sqlite" or "prometheus"
    container: str | None  # "zip" when the report came inside a zip, else None
    member: str | None  # zip member name
    observed_at: datetime  # UTC: sysinfo generation time, or the .status time (see StatusReport)
    sysinfo: SysinfoReport | None = None
    status: StatusReport | None = None
    warnings: tuple[str, ...] = field(default=())


# Section name (attribute of SysinfoReport) -> (kind, class, {child name: (kind, class)}).
# The mapping file must use these names; the parsers and the writer are driven by this table.
SECTIONS: dict[str, tuple[str, type, dict[str, tuple[str, type]]]] = {
    "header": ("object", Header, {}),
    "regfile": ("object", RegFile, {}),
    "licences": ("list", Licence, {}),
    "volumes": ("list", Volume, {"errors": ("list", DbError)}),
    "operup_files": ("list", OperupFile, {}),
    "protection_key": ("object", ProtectionKey, {}),
    "licence_manager": ("object", LicenceManager, {}),
    "users": ("list", User, {}),
    "seat_usage": ("object", SeatUsage, {}),
    "sessions": ("list", Session, {}),
    "login_refusals": ("list", LoginRefusal, {}),
    "counter_period": ("object", CounterPeriod, {}),
    "counters": ("list", UserCounters, {}),
    "searches": ("list", SearchEntry, {}),
    "kassist_links": ("list", KassistLinkDay, {}),
    "components": ("list", Component, {}),
}


def field_names(cls: type) -> list[str]:
    """Constructor order of a model class (what positional construction relies on)."""
    return [f.name for f in fields(cls)]
