"""The registry CSV files dealers already have (D §5.3): decoding, parsing, row validation, formatting.

No database here: rows come out as plain dataclasses, errors as `RowError(line, code, reason)`.

Reading rules (where D §5.3 is silent, the decision is written here):

- Encoding: UTF-8 with a BOM, UTF-16 with a BOM, then strict UTF-8; only when that fails,
  charset-normalizer chooses among the Cyrillic single-byte code pages (CP1251, KOI8-R, CP866),
  because unrestricted detection calls short Russian lines Big5. If it finds nothing, CP1251.
- Delimiter: `,` or `;` (Excel), whichever gives more rows of a known width (8, 9 or 11 columns);
  a tie goes to `,`.
- Quotes follow RFC 4180 (`"a,b"`; a quote inside quotes is doubled); a space before an opening
  quote is allowed.
  A quoted field never spans lines in a registry file, so a record that does is reported as a
  missing closing quote instead of silently swallowing the rows after it.
- Every field is trimmed of surrounding whitespace, quoted or not (E15): a password that begins or
  ends with a space cannot be imported. Trailing empty fields are dropped, because Excel pads short
  rows (`…,-1,,`); lines that are empty after that (blank, `;;;;`) are skipped.
- Line numbers are 1-based physical lines of the file, so an editor jumps straight to them.
- The flag columns hold the literal words `download`, `upload`, `process` (True) or the same word
  with a `no` prefix, `nodownload` etc. (False); `ping` / `donotping` for ICMP. Words are
  case-insensitive. `0`/`1` are rejected: the docs call these columns constants, and a digit there
  usually means the columns are shifted, which is better reported than guessed.
- Several e-mail addresses go in one field separated by `;` (or `,` inside quotes); in a
  `;`-delimited file that field must therefore be quoted, which is what Excel writes.
- Names are case-insensitive: addresses and online hosts are lower-cased; client names keep their case.

Writing: `,` delimiter, UTF-8 without BOM, CRLF, quotes only where needed; managers block A
(`address:port`) before block B (client names), each sorted by name; 9-column rows for
installations imported from 9-column rows.
"""
import codecs
import csv
import io
import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field

import charset_normalizer
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .tzlegacy import BadTimeZone, legacy_from_zone, zone_from_legacy

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


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of the encoding found (`utf-8`, `utf-8-sig`, `cp1251`, …); ValueError if none."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data, cp_isolation=["cp1251", "koi8_r", "cp866"]).best()
    encoding = codecs.lookup(best.encoding).name if best else "cp1251"
    return _strict(data, encoding), encoding


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValueError(
            _("The file is neither UTF-8 nor CP1251 (byte %(offset)d). Save it as UTF-8.") % {"offset": exc.start}
        ) from None


def read_records(text: str, delimiter: str) -> tuple[list, list]:
    """`([(line, [field, …]), …], [RowError, …])`: trimmed fields, blank lines skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    records, errors = [], []
    while True:
        start = reader.line_num + 1
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(start, "bad_csv", _("Cannot read the line: %(error)s") % {"error": exc}))
            break
        fields = [value.strip() for value in raw]
        while fields and not fields[-1]:
            fields.pop()
        if not fields:
            continue
        if reader.line_num > start:
            errors.append(RowError(start, "bad_quotes", _(
                "A quoted field runs from line %(start)d to line %(end)d: a closing quote is missing."
            ) % {"start": start, "end": reader.line_num}))
            continue
        if any(_has_control(value) for value in fields):
            errors.append(RowError(start, "bad_characters", _("The line contains control characters.")))
            continue
        records.append((start, fields))
    return records, errors


def _has_control(value: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in value)


def detect_delimiter(text: str) -> str:
    """`,` or `;`: the one that splits more lines into a known number of columns."""
    def score(delimiter):
        records, _errors = read_records(text, delimiter)
        return sum(1 for _line, fields in records if len(fields) in _KIND_OF_WIDTH)

    return ";" if score(";") > score(",") else ","


def parse(data: bytes, kind: str | None = None) -> ParsedFile:
    """Read a managers.csv or online.csv file; `kind=None` decides from the column counts."""
    try:
        text, encoding = decode(data)
    except ValueError as exc:
        return ParsedFile(kind, "", "", errors=[RowError(None, "undecodable", str(exc))])
    delimiter = detect_delimiter(text)
    records, errors = read_records(text, delimiter)
    result = ParsedFile(kind, encoding, delimiter, errors=errors)
    if not records and not errors:
        errors.append(RowError(None, "empty_file", _("The file has no rows.")))
        return result
    if kind is None:
        kind = result.kind = _majority_kind(records)
        if kind is None:
            errors.append(RowError(None, "unknown_kind", _(
                "Cannot tell the kind of file: managers.csv rows have 9 or 11 columns, online.csv rows have 8."
            )))
            return result
    parse_row = parse_managers_row if kind == MANAGERS else parse_online_row
    seen = {}
    for line, fields in records:
        looks = looks_like(fields)
        if looks != kind or _KIND_OF_WIDTH.get(len(fields)) != kind:
            errors.append(_shape_error(line, len(fields), kind, looks))
            continue
        result.keys.add(_raw_key(kind, fields))
        manager_column = 1 if kind == MANAGERS else 6
        if fields[manager_column]:
            result.manager_refs.append((line, fields[manager_column], fields[manager_column + 1]))
        row, row_errors = parse_row(line, fields)
        errors.extend(row_errors)
        if row is None:
            continue
        if row.key in seen:
            errors.append(RowError(line, "duplicate", _(
                "%(name)s is also on line %(other)d (names are compared ignoring case)."
            ) % {"name": row.label, "other": seen[row.key]}))
            continue
        seen[row.key] = line
        result.rows.append(row)
    errors.sort(key=lambda e: (e.line or 0))
    return result


def _raw_key(kind: str, fields: list):
    if kind == ONLINE:
        return (fields[3].lower(), fields[4].lower(), fields[1].lower())
    address = parse_address(fields[0])
    return _address_name(*address).lower() if address else fields[0].lower()


def looks_like(fields: list) -> str:
    """The kind a row looks like: managers rows always carry their constant words in columns 4-8.

    Deciding by content, not only by width, keeps an online row whose unquoted comma made it
    9 columns wide from being read as a managers row, whose messages would quote its password.
    """
    return MANAGERS if any(value.lower() in _MANAGERS_WORDS for value in fields[3:8]) else ONLINE


def _majority_kind(records) -> str | None:
    """The kind most rows look like, counting only rows of a known width or with managers words."""
    counts = {MANAGERS: 0, ONLINE: 0}
    for _line, fields in records:
        looks = looks_like(fields)
        if looks == MANAGERS or _KIND_OF_WIDTH.get(len(fields)):
            counts[looks] += 1
    if not any(counts.values()):
        return None
    return ONLINE if counts[ONLINE] > counts[MANAGERS] else MANAGERS


def _shape_error(line: int, width: int, kind: str, looks: str) -> RowError:
    """`mixed_kinds` for a row that looks like the other kind of file, else `column_count`."""
    if looks != kind:
        return RowError(line, "mixed_kinds", _(
            "This row looks like a row of %(other)s.csv, but the file is %(kind)s.csv; "
            "managers and online rows cannot share a file."
        ) % {"other": looks, "kind": kind})
    expected = _("9 or 11") if kind == MANAGERS else str(ONLINE_WIDTH)
    return RowError(line, "column_count", _(
        "Expected %(expected)s columns for %(kind)s.csv, found %(width)d (unquoted comma or semicolon in a field?)."
    ) % {"expected": expected, "kind": kind, "width": width})


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


def _write(records) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(records)
    return buffer.getvalue().encode("utf-8")


def managers_record(row: InstallationRow) -> list:
    """The CSV fields of one installation (9 or 11 of them)."""
    fields = [
        row.name,
        row.manager,
        row.alert_emails,
        row.scheme if row.kind == PULLED else PUSHED_SCHEME,
        *(word if getattr(row, word) else "no" + word for word in FLAG_WORDS),
        "ping" if row.ping else "donotping",
        legacy_from_zone(row.time_zone),
    ]
    if row.columns != 9:
        fields += [str(row.expected_interval_s), str(row.asrp_period_s)]
    return fields


def format_managers(rows) -> bytes:
    """managers.csv bytes: block A (pulled) then block B (pushed), each sorted by name."""
    ordered = sorted(rows, key=lambda r: (r.kind != PULLED, r.name.casefold()))
    return _write(managers_record(row) for row in ordered)


def format_online(rows) -> bytes:
    """online.csv bytes, sorted by firm, then host, folder and login."""
    ordered = sorted(rows, key=lambda r: (r.firm.casefold(), *r.key))
    return _write(
        [r.firm, r.login, r.password, r.host, r.folder, r.scheme, r.manager, r.alert_emails] for r in ordered
    )
