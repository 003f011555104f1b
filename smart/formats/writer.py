"""Normalized report -> reference sysinfo file (XML in UTF-8 or windows-1251, or SQLite).

Driven by the same mapping as the readers, so what the writer produces is by construction what the
readers expect: round trips (write -> parse -> equal) hold for every report in `canonical` form.
The fleet generator of the simulator uses these functions to produce realistic uploads.
"""
import os
import sqlite3
import tempfile
from dataclasses import fields as dc_fields, replace
from pathlib import Path

from lxml import etree

from .convert import UTC, LocalClock, format_value, zone_from_name
from .mapping import Mapping, SectionSpec, reference_mapping
from .model import SECTIONS, SysinfoReport

REFERENCE_FORMAT = "smart-sysinfo"
_SQL_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "INTEGER", "date": "TEXT",
              "local_datetime": "TEXT"}


def write_xml(report: SysinfoReport, *, time_zone: str, encoding: str = "utf-8",
              mapping: Mapping | None = None) -> bytes:
    """Serialize `report` as sysinfo XML; instants are written as wall-clock time in `time_zone`."""
    mapping = mapping or reference_mapping()
    clock = LocalClock(zone_from_name(time_zone))
    root = etree.Element(mapping.root)
    if "format" in mapping.root_attributes:
        root.set("format", REFERENCE_FORMAT)
    if mapping.version_attribute:
        root.set(mapping.version_attribute, report.format_version or str(mapping.version))
    for spec in mapping.sections:
        value = getattr(report, spec.name)
        if spec.xml is None or value is None or (spec.kind == "object" and _blank(value)):
            continue
        if spec.kind == "object":
            _fill(_ensure(root, spec.xml[1:]), spec, value, clock)
            continue
        container = _ensure(root, spec.xml[1:-1])
        for item in value:
            _fill(etree.SubElement(container, spec.xml[-1]), spec, item, clock)
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        return etree.tostring(root, xml_declaration=True, encoding=encoding, pretty_print=True)
    # A single-byte encoding: Python's codec writes what it cannot encode as character references
    # (libxml2's iconv silently drops some code points, e.g. the plane-14 tag characters).
    body = etree.tostring(root, encoding="unicode", pretty_print=True)
    return f"<?xml version='1.0' encoding='{encoding}'?>\n{body}".encode(encoding, errors="xmlcharrefreplace")


def write_sqlite(report: SysinfoReport, path: str | os.PathLike, *, time_zone: str,
                 mapping: Mapping | None = None) -> None:
    """Write `report` as a reference SQLite sysinfo at `path` (which must not exist yet)."""
    mapping = mapping or reference_mapping()
    clock = LocalClock(zone_from_name(time_zone))
    if Path(path).exists():
        raise FileExistsError(path)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        if mapping.sqlite_application_id is not None:
            conn.execute(f"PRAGMA application_id={int(mapping.sqlite_application_id)}")
        version = report.format_version if (report.format_version or "").isdigit() else mapping.version
        conn.execute(f"PRAGMA user_version={int(version)}")
        for spec in mapping.sections:
            value = getattr(report, spec.name)
            if spec.sqlite_table is None or value is None or (spec.kind == "object" and _blank(value)):
                continue
            _write_table(conn, spec, [value] if spec.kind == "object" else list(value), clock)
        conn.commit()
    finally:
        conn.close()


def sqlite_bytes(report: SysinfoReport, *, time_zone: str, mapping: Mapping | None = None) -> bytes:
    """The SQLite variant as bytes (writes through a private temporary file)."""
    with tempfile.TemporaryDirectory(prefix="sysinfo-write-") as tmp:
        target = Path(tmp) / "sysinfo.sqlite"
        write_sqlite(report, target, time_zone=time_zone, mapping=mapping)
        return target.read_bytes()


def canonical(report: SysinfoReport, mapping: Mapping | None = None, *, xml: bool = True) -> SysinfoReport:
    """`report` as it reads back after a write: the rules the formats impose, applied up front.

    - text is stripped and blank text is None; instants are in UTC;
    - an object section whose fields are all None is None (nothing to write);
    - a record's child list that is None reads back as () (children are always listed);
    - unmapped fields and sections are None;
    - XML only: a list whose container element exists because another section is present (e.g.
      `<sessions seats_used="3"/>` for seat_usage) reads back as present and empty (()).
    """
    mapping = mapping or reference_mapping()
    values = {}
    for spec in mapping.sections:
        value = getattr(report, spec.name)
        if value is not None:
            value = _canonical_section(spec, value)
        values[spec.name] = value
    if xml:
        # Elements the writer creates for present sections (and their ancestors): a list whose
        # container is among them reads back as present, even if it was None.
        created = set()
        for spec in mapping.sections:
            if spec.xml is not None and values[spec.name] is not None:
                path = spec.xml if spec.kind == "object" else spec.xml[:-1]
                created.update(path[:i] for i in range(1, len(path) + 1))
        for spec in mapping.sections:
            if spec.kind == "list" and values[spec.name] is None and spec.xml is not None and spec.xml[:-1] in created:
                values[spec.name] = ()
    unmapped = {name: None for name in SECTIONS if name not in values}
    return replace(report, **values, **unmapped, unknown=(), warnings=())


def _canonical_section(spec: SectionSpec, value):
    if spec.kind == "object":
        obj = _canonical_object(spec, value)
        return None if _blank(obj) else obj
    return tuple(_canonical_object(spec, item) for item in value)


def _canonical_object(spec: SectionSpec, obj):
    mapped = {f.name: f for f in spec.fields if f.regex is None}
    children = {c.name: c for c in spec.children}
    values = {}
    for f in dc_fields(obj):
        value = getattr(obj, f.name)
        if f.name in children:
            values[f.name] = tuple(_canonical_object(children[f.name], v) for v in (value or ()))
        elif f.name not in mapped or value is None:
            values[f.name] = None
        elif mapped[f.name].multi:
            values[f.name] = tuple(v for v in (_canonical_scalar(mapped[f.name].type, x) for x in value)
                                   if v is not None)
        else:
            values[f.name] = _canonical_scalar(mapped[f.name].type, value)
    return type(obj)(**values)


def _canonical_scalar(ftype: str, value):
    if ftype == "str":
        return str(value).strip() or None
    if ftype == "local_datetime":
        return value.astimezone(UTC)
    return value


def _blank(obj) -> bool:
    return all(getattr(obj, f.name) is None for f in dc_fields(obj))


def _ensure(parent, steps):
    """The element at `steps` under `parent`, creating missing ones (sections share containers)."""
    node = parent
    for step in steps:
        found = node.find(step)
        node = found if found is not None else etree.SubElement(node, step)
    return node


def _text(ftype: str, value, clock: LocalClock) -> str:
    formatted = format_value(ftype, value, clock)
    return repr(formatted) if ftype == "float" else str(formatted)


def _fill(el, spec: SectionSpec, obj, clock: LocalClock) -> None:
    for f in spec.fields:
        value = getattr(obj, f.name)
        if value is None or f.xml is None or f.regex is not None:
            continue
        if f.multi:
            if not f.xml.steps:
                raise ValueError(f"{spec.name}.{f.name}: a multi field needs an element path to repeat")
            container = _ensure(el, f.xml.steps[:-1])
            for item in value:
                _set(etree.SubElement(container, f.xml.steps[-1]), f.xml.attr, _text(f.type, item, clock))
        else:
            _set(_ensure(el, f.xml.steps), f.xml.attr, _text(f.type, value, clock))
    for child in spec.children:
        if child.xml is None:
            continue
        container = _ensure(el, child.xml[:-1])
        for item in getattr(obj, child.name) or ():
            _fill(etree.SubElement(container, child.xml[-1]), child, item, clock)


def _set(el, attr: str | None, text: str) -> None:
    if attr is None:
        el.text = text
    else:
        el.set(attr, text)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _write_table(conn, spec: SectionSpec, rows: list, clock: LocalClock, parent_keys=None) -> None:
    columns = [f for f in spec.fields if f.sqlite_column and f.sqlite_table is None and f.regex is None]
    defs = [f"{_q(f.sqlite_column)} {_SQL_TYPES[f.type]}" for f in columns]
    if spec.sqlite_key:
        defs.insert(0, f"{_q(spec.sqlite_key)} INTEGER PRIMARY KEY")
    if spec.sqlite_parent_column:
        defs.insert(0, f"{_q(spec.sqlite_parent_column)} INTEGER")
    conn.execute(f"CREATE TABLE IF NOT EXISTS {_q(spec.sqlite_table)} ({', '.join(defs)})")
    names = [f.sqlite_column for f in columns]
    if spec.sqlite_key:
        names.insert(0, spec.sqlite_key)
    if spec.sqlite_parent_column:
        names.insert(0, spec.sqlite_parent_column)
    insert = (f"INSERT INTO {_q(spec.sqlite_table)} ({', '.join(map(_q, names))}) "
              f"VALUES ({', '.join('?' * len(names))})")
    batch = []
    for index, obj in enumerate(rows, start=1):
        row = [None if getattr(obj, f.name) is None else format_value(f.type, getattr(obj, f.name), clock)
               for f in columns]
        if spec.sqlite_key:
            row.insert(0, index)
        if spec.sqlite_parent_column:
            row.insert(0, parent_keys[index - 1])
        batch.append(row)
    conn.executemany(insert, batch)
    for f in spec.fields:
        if f.sqlite_table and f.multi and f.regex is None and any(getattr(o, f.name) is not None for o in rows):
            conn.execute(f"CREATE TABLE IF NOT EXISTS {_q(f.sqlite_table)} ({_q(f.sqlite_column)} {_SQL_TYPES[f.type]})")
            for obj in rows:
                values = getattr(obj, f.name)
                if values is not None:
                    conn.executemany(f"INSERT INTO {_q(f.sqlite_table)} VALUES (?)",
                                     [(format_value(f.type, v, clock),) for v in values])
    for child in spec.children:
        if child.sqlite_table is None:
            continue
        child_rows, keys = [], []
        for index, obj in enumerate(rows, start=1):
            for item in getattr(obj, child.name) or ():
                child_rows.append(item)
                keys.append(index)
        _write_table(conn, child, child_rows, clock, parent_keys=keys)
