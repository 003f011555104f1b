"""Reader for the SQLite variant of sysinfo, driven by the same mapping as the XML reader.

The database is untrusted: the caller hands us a private copy, we check its 100-byte header ourselves
(SQLite trusts it), open it read-only and immutable, bound its work with a progress handler, refuse
views and virtual tables in place of data tables, and run PRAGMA quick_check before reading.
"""
import os
import sqlite3
import urllib.parse

from .convert import LocalClock, converter
from .errors import ParseFailure
from .extract import Sink
from .limits import Limits
from .mapping import FieldSpec, Mapping, SectionSpec
from .model import Header, SysinfoReport, UnknownElement

SQLITE_MAGIC = b"SQLite format 3\x00"
_PROGRESS_EVERY = 1000  # VM instructions between progress-handler calls (each statement counts)


def check_header(path: str, limits: Limits) -> None:
    """Validate the database header against the file size; raise ParseFailure when it lies."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        header = handle.read(100)
    if len(header) < 100:
        raise ParseFailure("truncated", f"SQLite file of {size} bytes has no complete header")
    if header[:16] != SQLITE_MAGIC:
        raise ParseFailure("sqlite_bad_header", "missing SQLite magic")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise ParseFailure("sqlite_bad_header", f"invalid page size {page_size}")
    if header[18] not in (1, 2) or header[19] not in (1, 2):
        raise ParseFailure("sqlite_bad_header", f"invalid file format versions {header[18]}/{header[19]}")
    if header[21:24] != b"\x40\x20\x20":
        raise ParseFailure("sqlite_bad_header", "invalid payload fractions")
    if header[20] > page_size - 480:
        raise ParseFailure("sqlite_bad_header", f"reserved space {header[20]} too large for the page size")
    if int.from_bytes(header[44:48], "big") > 4 or int.from_bytes(header[56:60], "big") > 3:
        raise ParseFailure("sqlite_bad_header", "invalid schema format or text encoding")
    if size % page_size:
        raise ParseFailure("truncated", f"{size} bytes is not a whole number of {page_size}-byte pages")
    pages = size // page_size
    declared = int.from_bytes(header[28:32], "big")
    declared_valid = declared and header[24:28] == header[92:96]
    if max(pages, declared if declared_valid else 0) > limits.max_sqlite_pages:
        raise ParseFailure("sqlite_too_large", f"{max(pages, declared)} pages > {limits.max_sqlite_pages}")
    if declared_valid and declared > pages:
        raise ParseFailure("truncated", f"header declares {declared} pages, the file has {pages}")


def parse_sysinfo_sqlite(path: str, *, clock: LocalClock, mapping: Mapping, limits: Limits) -> SysinfoReport:
    """Read a private copy of an SQLite sysinfo at `path` into a SysinfoReport."""
    check_header(path, limits)
    uri = f"file:{urllib.parse.quote(os.path.abspath(path))}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise ParseFailure("sqlite_corrupt", str(exc)) from None
    steps = [0]

    def progress() -> int:
        steps[0] += _PROGRESS_EVERY
        return 1 if steps[0] >= limits.max_sqlite_steps else 0

    try:
        conn.set_progress_handler(progress, _PROGRESS_EVERY)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 64 * 1024 * 1024)
        conn.text_factory = _decode_text
        for pragma in ("trusted_schema=OFF", "cell_size_check=ON", "mmap_size=0", "query_only=ON"):
            conn.execute(f"PRAGMA {pragma}")
        return _Reader(conn, clock, mapping, limits).read()
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc).lower():
            raise ParseFailure("sqlite_too_large", f"query work limit of {limits.max_sqlite_steps} steps") from None
        raise ParseFailure("sqlite_corrupt", str(exc)) from None
    except sqlite3.Error as exc:
        raise ParseFailure("sqlite_corrupt", str(exc)) from None
    except UnicodeDecodeError:
        # sqlite3 decodes SQLite's error messages as UTF-8; a damaged schema puts raw bytes in them.
        raise ParseFailure("sqlite_corrupt", "SQLite failed with an undecodable message (damaged schema)") from None
    finally:
        conn.close()


def _decode_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseFailure("bad_encoding", "SQLite text is not UTF-8") from None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Reader:
    def __init__(self, conn, clock: LocalClock, mapping: Mapping, limits: Limits):
        self.conn = conn
        self.clock = clock
        self.mapping = mapping
        self.sink = Sink(limits.max_warnings, limits.max_unknown_paths)
        self.used: dict[str, set[str]] = {}  # table -> columns the mapping reads

    def read(self) -> SysinfoReport:
        check = self.conn.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise ParseFailure("sqlite_corrupt", f"quick_check: {check[0] if check else 'no answer'}"[:200])
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        if self.mapping.sqlite_application_id and app_id and app_id != self.mapping.sqlite_application_id:
            raise ParseFailure("not_sysinfo", f"SQLite application_id {app_id:#x} is not sysinfo's")
        self.tables = self._tables()
        missing = [t for t in self.mapping.sqlite_required_tables if t not in self.tables]
        if missing:
            raise ParseFailure("not_sysinfo", f"SQLite database lacks table(s) {', '.join(missing)}")
        values = {}
        for spec in self.mapping.sections:
            if spec.sqlite_table is None:
                continue
            values[spec.name] = self._section(spec)
        header = values.get("header")
        if not isinstance(header, Header) or header.generated_at is None:
            raise ParseFailure("bad_header", "no header row with a valid generation time")
        self._report_unknown()
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        unknown = tuple(UnknownElement(p, c, s) for p, (c, s) in sorted(self.sink.unknown.items()))
        return SysinfoReport(source_format="sqlite", format_version=str(version) if version else None,
                             mapping=self.mapping.label, unknown=unknown,
                             warnings=self.sink.final_warnings(), **values)

    def _tables(self) -> dict[str, list[str]]:
        tables = {}
        for name, sql in self.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
            if name.startswith("sqlite_"):
                continue
            if not (sql or "").lstrip().upper().startswith("CREATE TABLE"):
                self.sink.warn(f"SQLite table {name!r} ignored: virtual tables are not read")
                continue
            tables[name] = [row[1] for row in self.conn.execute(f"PRAGMA table_info({_q(name)})")]
        return tables

    def _section(self, spec: SectionSpec):
        rows = self._rows(spec)
        if rows is None:
            return None
        if spec.kind == "list":
            return tuple(rows)
        if len(rows) > 1:
            self.sink.warn(f"SQLite table {spec.sqlite_table!r}: {len(rows)} rows, the first is used")
        obj = rows[0] if rows else None
        if obj is None or all(getattr(obj, name) is None for name in spec.order):
            return None
        return obj

    def _rows(self, spec: SectionSpec, *, parent_column: str | None = None):
        """Objects of `spec` from its table (None when the table is absent); grouped for children."""
        columns = self.tables.get(spec.sqlite_table)
        if columns is None:
            return None
        if parent_column and parent_column not in columns:
            self.sink.warn(f"sqlite:{spec.sqlite_table}: no {parent_column} column, its rows cannot be attached")
            return None
        self.used.setdefault(spec.sqlite_table, set())
        plain = [f for f in spec.fields if f.sqlite_column and f.sqlite_table is None and f.sqlite_column in columns]
        select = [f.sqlite_column for f in plain]
        extra = [c for c in (spec.sqlite_key, parent_column) if c and c in columns]
        self.used[spec.sqlite_table].update(select + extra)
        children = {c.name: self._children(c) for c in spec.children if c.sqlite_table}
        multis = {f.name: self._multi(f) for f in spec.fields if f.sqlite_table}
        convs = [(f, converter(f.type, f.format, self.clock)) for f in plain]
        sql = f"SELECT {', '.join(map(_q, select + extra)) or '1'} FROM {_q(spec.sqlite_table)}"
        result = []
        for row in self.conn.execute(sql):
            values = dict(multis)
            skip = False
            for (f, conv), raw in zip(convs, row):
                values[f.name] = self._convert_value(spec.sqlite_table, f, conv, raw)
                if f.required and values[f.name] is None:
                    self.sink.warn(f"sqlite:{spec.sqlite_table}: row skipped, required {f.sqlite_column} missing")
                    skip = True
                    break
            if skip:
                continue
            key = row[len(select)] if spec.sqlite_key in extra else None
            for name, groups in children.items():
                values[name] = tuple(groups.get(key, ())) if groups is not None else None
            obj = spec.cls(**values)
            result.append((row[-1], obj) if parent_column else obj)
        return result

    def _children(self, child: SectionSpec) -> dict | None:
        rows = self._rows(child, parent_column=child.sqlite_parent_column)
        if rows is None:
            return None
        groups: dict = {}
        for key, obj in rows:
            groups.setdefault(key, []).append(obj)
        return groups

    def _multi(self, f: FieldSpec):
        columns = self.tables.get(f.sqlite_table)
        if columns is None or f.sqlite_column not in columns:
            return None
        self.used.setdefault(f.sqlite_table, set()).add(f.sqlite_column)
        conv = converter(f.type, f.format, self.clock)
        values = (self._convert_value(f.sqlite_table, f, conv, raw)
                  for (raw,) in self.conn.execute(f"SELECT {_q(f.sqlite_column)} FROM {_q(f.sqlite_table)}"))
        return tuple(v for v in values if v is not None)

    def _convert_value(self, table: str, f: FieldSpec, conv, raw):
        if raw is None:
            return None
        if f.regex is not None:
            match = f.regex.search(str(raw))
            if match is None:
                return None
            raw = match.group(1) if f.regex.groups else match.group(0)
        if isinstance(raw, str) and not raw.strip():
            return None
        try:
            return conv(raw)
        except (ValueError, OverflowError, TypeError):
            self.sink.warn(f"sqlite:{table}.{f.sqlite_column}: bad {f.type} value {str(raw)[:60]!r}")
            return None

    def _report_unknown(self) -> None:
        for table, columns in self.tables.items():
            used = self.used.get(table)
            extra = columns if used is None else [c for c in columns if c not in used]
            if not extra:
                continue
            count = self.conn.execute(f"SELECT count(*) FROM {_q(table)}").fetchone()[0]
            if used is None:
                self.sink.unknown_path(f"sqlite:{table}", "columns: " + ", ".join(columns), count)
            else:
                for column in extra:
                    self.sink.unknown_path(f"sqlite:{table}.{column}", "", count)
