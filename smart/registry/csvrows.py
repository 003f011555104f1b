"""Registry CSV rows: what each column must hold, and the dataclasses a valid row becomes.

No database here; see csvio for the file-level rules (encoding, delimiter, quotes) and formatting.
"""
import ipaddress
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .tzlegacy import BadTimeZone, zone_from_legacy

MANAGERS = "managers"
ONLINE = "online"
KINDS = (MANAGERS, ONLINE)
PULLED = "pulled"
PUSHED = "pushed"

MANAGERS_WIDTHS = (9, 11)
ONLINE_WIDTH = 8
FLAG_WORDS = ("download", "upload", "process")
PUSHED_SCHEME = "smartupload"
SCHEMES = ("http", "https")
_KIND_OF_WIDTH = {ONLINE_WIDTH: ONLINE, **{width: MANAGERS for width in MANAGERS_WIDTHS}}
_MANAGERS_WORDS = {PUSHED_SCHEME, "ping", "donotping", *FLAG_WORDS, *("no" + word for word in FLAG_WORDS)}

# The client-name rule of 00-product.md; the same pattern as registry.models.CLIENT_SLUG_RE
# (repeated so this module stays importable without Django's app registry).
CLIENT_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
FIRM_MAX = 64
LOGIN_MAX = 200
FOLDER_MAX = 200
MANAGER_MAX = 150
EMAILS_MAX = 1000
INTERVAL_MAX = 2**31 - 1  # PositiveIntegerField on PostgreSQL
_HOST_LABEL_RE = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_IPV6_ADDRESS_RE = re.compile(r"^\[([0-9A-Fa-f:.]+)\]:([0-9]{1,5})$")


@dataclass(frozen=True)
class RowError:
    """A problem with one line (or with the whole file when `line` is None)."""

    line: int | None
    code: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "code": self.code, "reason": self.reason}


@dataclass(frozen=True)
class InstallationRow:
    """One managers.csv row: block A (pulled, `address:port`) or block B (pushed, client name)."""

    line: int | None
    kind: str
    name: str
    address: str
    port: int | None
    scheme: str
    manager: str
    alert_emails: str
    download: bool
    upload: bool
    process: bool
    ping: bool
    time_zone: str
    expected_interval_s: int | None  # None: a 9-column row, which does not set it
    asrp_period_s: int | None
    columns: int = 11

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True)
class OnlineRow:
    """One online.csv row. The password never appears in repr() or in any message."""

    line: int | None
    firm: str
    login: str
    password: str = field(repr=False)
    host: str = ""
    folder: str = ""
    scheme: str = "https"
    manager: str = ""
    alert_emails: str = ""

    @property
    def key(self) -> tuple:
        return (self.host.lower(), self.folder.lower(), self.login.lower())

    @property
    def label(self) -> str:
        return f"{self.firm} ({self.login}@{self.host}/{self.folder})"


@dataclass
class ParsedFile:
    """The outcome of reading one file: its rows (valid ones only) and every error found."""

    kind: str | None
    encoding: str
    delimiter: str
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    # The key of every row of the file's kind, valid or not, so a row with an error is never
    # mistaken for one that was removed from the file.
    keys: set = field(default_factory=set)
    # (line, manager, e-mail column) of every row of the file's kind, valid or not, so an unknown
    # manager is reported even on a line that has other errors.
    manager_refs: list = field(default_factory=list)


# ---------------------------------------------------------------- reading



def _shown(value: str) -> str:
    """A field as quoted in an error message, cut short so a misplaced long value stays readable."""
    return repr(value if len(value) <= 40 else value[:40] + "…")


def parse_emails(text: str) -> tuple[str, str | None]:
    """The canonical e-mail field (`a@x;b@y`) and an error reason, if any."""
    addresses, seen = [], set()
    for part in re.split(r"[;,]", text):
        address = part.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            return "", _("%(value)s is not a valid e-mail address.") % {"value": _shown(address)}
        if address.lower() not in seen:
            seen.add(address.lower())
            addresses.append(address)
    if not addresses:
        return "", _("The e-mail column is empty.")
    joined = ";".join(addresses)
    if len(joined) > EMAILS_MAX:
        return "", _("The e-mail column is longer than %(max)d characters.") % {"max": EMAILS_MAX}
    return joined, None


def valid_hostname(host: str) -> bool:
    """A DNS name (IDN allowed) or an IPv4/IPv6 address."""
    if not host or len(host) > 253:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.split(".")
    if all(label.isdigit() for label in labels):  # 999.1.1.1 is a bad IP, not a host name
        return False
    return all(_HOST_LABEL_RE.match(label) for label in labels)


def parse_address(text: str) -> tuple[str, int] | None:
    """(`address`, port) from `host:port` or `[ipv6]:port`, or None when malformed."""
    match = _IPV6_ADDRESS_RE.match(text)
    if match:
        host, port_text = match.groups()
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep or not valid_hostname(host) or not re.fullmatch(r"[0-9]{1,5}", port_text):
            return None
    port = int(port_text)
    if not 1 <= port <= 65535:
        return None
    return host.lower(), port


def _address_name(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _flag(value: str, word: str) -> bool | None:
    return {word: True, "no" + word: False}.get(value.lower())


def parse_managers_row(line: int, fields: list) -> tuple[InstallationRow | None, list]:
    """Validate one 9- or 11-column managers.csv row: (row or None, [RowError, …])."""
    errors = []

    def fail(code, reason):
        errors.append(RowError(line, code, reason))

    first, manager, emails_text, scheme = fields[0], fields[1], fields[2], fields[3].lower()
    if scheme in SCHEMES:
        kind = PULLED
    elif scheme == PUSHED_SCHEME:
        kind = PUSHED
    else:
        kind = PULLED if ":" in first else PUSHED
        fail("bad_scheme", _("Column 4 must be http, https (address:port rows) or smartupload, found %(value)s.")
             % {"value": _shown(fields[3])})
    address, port, name = "", None, first
    if kind == PULLED:
        parsed = parse_address(first)
        if parsed is None:
            fail("bad_address", _(
                "%(value)s is not <address>:<port> (a host name or IP address and a port 1-65535)."
            ) % {"value": _shown(first)})
        else:
            address, port = parsed
            name = _address_name(address, port)
    elif not CLIENT_SLUG_RE.match(first):
        fail("bad_client_name", _(
            "%(value)s is not a valid client name: 1-64 Latin letters, digits, '_', '.', '-', "
            "starting with a letter or digit, the same as CLIENTNAME in the scripts."
        ) % {"value": _shown(first)})
    _check_manager(manager, fail)
    alert_emails, reason = parse_emails(emails_text)
    if reason:
        fail("bad_email", reason)
    flags = []
    for column, word in enumerate(FLAG_WORDS, start=5):
        value = _flag(fields[column - 1], word)
        if value is None:
            fail("bad_flag", _("Column %(column)d must be %(yes)s or %(no)s, found %(value)s.") % {
                "column": column, "yes": word, "no": "no" + word, "value": _shown(fields[column - 1])})
        flags.append(value)
    ping_word = fields[7].lower()
    if ping_word not in ("ping", "donotping"):
        fail("bad_flag", _("Column 8 must be ping or donotping, found %(value)s.") % {"value": _shown(fields[7])})
    try:
        time_zone = zone_from_legacy(fields[8])
    except BadTimeZone:
        time_zone = ""
        fail("bad_tz", _(
            "Bad time zone %(value)s: write the offset from Saratov time in hours (Moscow is -1) "
            "or an IANA name such as Europe/Moscow."
        ) % {"value": _shown(fields[8])})
    intervals = [None, None]
    for index in (9, 10):
        if len(fields) > index:
            intervals[index - 9] = _interval(fields[index])
            if intervals[index - 9] is None:
                fail("bad_interval", _("Column %(column)d must be a whole number of seconds, found %(value)s.")
                     % {"column": index + 1, "value": _shown(fields[index])})
    if errors:
        return None, errors
    return InstallationRow(
        line=line, kind=kind, name=name, address=address, port=port,
        scheme=scheme if kind == PULLED else "", manager=manager, alert_emails=alert_emails,
        download=flags[0], upload=flags[1], process=flags[2], ping=ping_word == "ping",
        time_zone=time_zone, expected_interval_s=intervals[0], asrp_period_s=intervals[1],
        columns=len(fields),
    ), []


def _interval(text: str) -> int | None:
    if not re.fullmatch(r"[0-9]{1,10}", text):
        return None
    value = int(text)
    return value if 1 <= value <= INTERVAL_MAX else None


def _check_manager(manager: str, fail) -> None:
    if not manager:
        fail("missing_manager", _("The manager column is empty."))
    elif len(manager) > MANAGER_MAX:
        fail("too_long", _("The manager name is longer than %(max)d characters.") % {"max": MANAGER_MAX})


def parse_online_row(line: int, fields: list) -> tuple[OnlineRow | None, list]:
    """Validate one 8-column online.csv row: (row or None, [RowError, …])."""
    errors = []

    def fail(code, reason):
        errors.append(RowError(line, code, reason))

    firm, login, password, host, folder, scheme, manager, emails_text = fields
    if not firm or len(firm) > FIRM_MAX:
        fail("bad_firm", _("The firm name must be 1-%(max)d characters, found %(length)d.")
             % {"max": FIRM_MAX, "length": len(firm)})
    if not login:
        fail("empty_login", _("The login is empty."))
    elif len(login) > LOGIN_MAX:
        fail("too_long", _("The login is longer than %(max)d characters.") % {"max": LOGIN_MAX})
    if not password:
        fail("empty_password", _("The password is empty."))
    if "/" in host or "\\" in host or ":" in host:
        fail("bad_host", _(
            "%(value)s must be the host name only, like online.kodeks.ru: no scheme, port or path."
        ) % {"value": _shown(host)})
    elif not valid_hostname(host):
        fail("bad_host", _("%(value)s is not a valid host name.") % {"value": _shown(host)})
    if not folder or "/" in folder or "\\" in folder:
        fail("bad_folder", _("The folder must be the catalog name only, without slashes, found %(value)s.")
             % {"value": _shown(folder)})
    elif len(folder) > FOLDER_MAX:
        fail("too_long", _("The folder is longer than %(max)d characters.") % {"max": FOLDER_MAX})
    if scheme.lower() not in SCHEMES:
        fail("bad_scheme", _("Column 6 must be http or https, found %(value)s.") % {"value": _shown(scheme)})
    _check_manager(manager, fail)
    alert_emails, reason = parse_emails(emails_text)
    if reason:
        fail("bad_email", reason)
    if errors:
        return None, errors
    return OnlineRow(
        line=line, firm=firm, login=login, password=password, host=host.lower(), folder=folder,
        scheme=scheme.lower(), manager=manager, alert_emails=alert_emails,
    ), []


# ---------------------------------------------------------------- writing


