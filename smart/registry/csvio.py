"""The registry CSV files dealers already have (D §5.3): decoding, parsing and formatting (row
validation is in csvrows).

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
import unicodedata

import charset_normalizer
from django.utils.translation import gettext as _

from .tzlegacy import legacy_from_zone
from .csvrows import (  # noqa: F401 - re-exported: csvio is the registry CSV module importers use
    CLIENT_SLUG_RE,
    EMAILS_MAX,
    FIRM_MAX,
    FLAG_WORDS,
    FOLDER_MAX,
    INTERVAL_MAX,
    InstallationRow,
    KINDS,
    LOGIN_MAX,
    MANAGERS,
    MANAGERS_WIDTHS,
    MANAGER_MAX,
    ONLINE,
    ONLINE_WIDTH,
    OnlineRow,
    PULLED,
    PUSHED,
    PUSHED_SCHEME,
    ParsedFile,
    RowError,
    SCHEMES,
    _KIND_OF_WIDTH,
    _MANAGERS_WORDS,
    _address_name,
    parse_address,
    parse_emails,
    parse_managers_row,
    parse_online_row,
    valid_hostname,
)


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
