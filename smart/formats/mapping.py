"""The declarative sysinfo mapping: which element / column carries which field of the model.

A mapping is a JSON data file (mappings/reference.json is the project's own format; its schema is
mappings/mapping.schema.json). This module loads one, checks it against the model and compiles it into
the small frozen specs the XML and SQLite readers and the writer walk. A vendor file is supported by
writing a mapping, not code.
"""
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .model import SECTIONS, field_names

MAPPINGS_DIR = Path(__file__).with_name("mappings")
REFERENCE_MAPPING = MAPPINGS_DIR / "reference.json"
TYPES = ("str", "int", "float", "bool", "date", "local_datetime")

_XML_NAME = r"[A-Za-z_][A-Za-z0-9_.-]*"
_XML_NAME_RE = re.compile(rf"^{_XML_NAME}$")
_SQL_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class MappingError(ValueError):
    """The mapping file is inconsistent with the model or with itself."""


@dataclass(frozen=True)
class XmlPath:
    """A field path relative to its section element: child steps, then an attribute or the text."""

    steps: tuple[str, ...]  # child elements to walk from the section element
    attr: str | None  # attribute to read at the end, or None for the element's text
    source: str  # as written in the mapping

    @property
    def is_local(self) -> bool:
        """Read from the section element itself (no child walk): eligible for the fast extractor."""
        return not self.steps


@dataclass(frozen=True)
class FieldSpec:
    """One model field: its type and where it lives in XML and in SQLite."""

    name: str
    type: str
    required: bool
    multi: bool
    xml: XmlPath | None
    sqlite_column: str | None
    sqlite_table: str | None  # multi-valued field stored in its own table (object sections)
    format: str | None
    regex: re.Pattern | None


@dataclass(frozen=True)
class SectionSpec:
    """One model section (object or list) with its fields and child lists."""

    name: str
    kind: str  # "object" or "list"
    cls: type
    xml: tuple[str, ...] | None  # absolute element path (top level) or relative steps (children)
    sqlite_table: str | None
    sqlite_key: str | None
    sqlite_parent_column: str | None
    fields: tuple[FieldSpec, ...]  # in constructor order of cls (children excluded)
    children: tuple["SectionSpec", ...]
    order: tuple[str, ...]  # constructor argument order: field and child names

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True)
class Mapping:
    """A compiled mapping file."""

    name: str
    version: int
    root: str
    version_attribute: str | None
    root_attributes: frozenset[str]
    sqlite_application_id: int | None
    sqlite_required_tables: tuple[str, ...]
    sections: tuple[SectionSpec, ...]

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def section(self, name: str) -> SectionSpec:
        """The spec of section `name` (KeyError if unmapped)."""
        for spec in self.sections:
            if spec.name == name:
                return spec
        raise KeyError(name)


def load_mapping(source: str | Path | dict) -> Mapping:
    """Load and compile a mapping from a JSON file path or an already-parsed dict."""
    data = source if isinstance(source, dict) else json.loads(Path(source).read_text(encoding="utf-8"))
    try:
        return _compile(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise MappingError(f"malformed mapping: {exc!r}") from exc


@functools.cache
def reference_mapping() -> Mapping:
    """The project's reference format mapping (loaded once per process)."""
    return load_mapping(REFERENCE_MAPPING)


def _compile(data: dict) -> Mapping:
    xml = data.get("xml") or {}
    sqlite = data.get("sqlite") or {}
    root = xml.get("root")
    if root is not None and not _XML_NAME_RE.match(root):
        raise MappingError(f"bad XML root name {root!r}")
    sections = []
    for name, raw in data["sections"].items():
        if name not in SECTIONS:
            raise MappingError(f"unknown section {name!r}; known: {', '.join(SECTIONS)}")
        kind, cls, children = SECTIONS[name]
        sections.append(_section(name, raw, kind, cls, children, root, top=True))
    if not any(s.name == "header" for s in sections):
        raise MappingError("a mapping must map the header section (it carries the generation time)")
    root_attributes = set(xml.get("root_attributes", ()))
    if xml.get("version_attribute"):
        root_attributes.add(xml["version_attribute"])
    return Mapping(
        name=data["name"], version=int(data["version"]), root=root or "",
        version_attribute=xml.get("version_attribute"), root_attributes=frozenset(root_attributes),
        sqlite_application_id=sqlite.get("application_id"),
        sqlite_required_tables=tuple(sqlite.get("required_tables", ())), sections=tuple(sections),
    )


def _section(name, raw, kind, cls, children, root, *, top) -> SectionSpec:
    if raw.get("kind", kind) != kind:
        raise MappingError(f"section {name!r} is a {kind} in the model, not {raw.get('kind')!r}")
    xml_path = _section_path(name, raw.get("xml"), root, top=top)
    sqlite = raw.get("sqlite") or {}
    for key in ("table", "key", "parent_column"):
        if sqlite.get(key) is not None and not _SQL_NAME_RE.match(sqlite[key]):
            raise MappingError(f"section {name!r}: bad SQLite name {sqlite[key]!r}")
    allowed = set(field_names(cls)) - set(children)
    specs = {}
    for fname, fraw in raw["fields"].items():
        if fname not in allowed:
            raise MappingError(f"section {name!r} has no field {fname!r}; known: {', '.join(sorted(allowed))}")
        specs[fname] = _field(name, fname, fraw, kind)
    child_specs = []
    for cname, craw in (raw.get("children") or {}).items():
        if cname not in children:
            raise MappingError(f"section {name!r} has no child list {cname!r}")
        ckind, ccls = children[cname]
        child_specs.append(_section(cname, craw, ckind, ccls, {}, root, top=False))
        if craw.get("sqlite") and not (sqlite.get("key") and craw["sqlite"].get("parent_column")):
            raise MappingError(f"section {name!r}: child {cname!r} in SQLite needs 'key' and 'parent_column'")
    order = tuple(n for n in field_names(cls) if n in specs or n in children)
    fields_in_order = tuple(specs[n] for n in field_names(cls) if n in specs)
    return SectionSpec(
        name=name, kind=kind, cls=cls, xml=xml_path, sqlite_table=sqlite.get("table"),
        sqlite_key=sqlite.get("key"), sqlite_parent_column=sqlite.get("parent_column"),
        fields=fields_in_order, children=tuple(child_specs), order=order,
    )


def _section_path(name, path, root, *, top) -> tuple[str, ...] | None:
    if path is None:
        return None
    absolute = path.startswith("/")
    steps = tuple(path.strip("/").split("/"))
    if not all(_XML_NAME_RE.match(s) for s in steps):
        raise MappingError(f"section {name!r}: bad XML path {path!r}")
    if top:
        if not absolute or steps[0] != root or len(steps) < 2:
            raise MappingError(f"section {name!r}: path {path!r} must be absolute under /{root}")
    elif absolute:
        raise MappingError(f"child section {name!r}: path {path!r} must be relative to its parent record")
    return steps


def _field(section, fname, raw, kind) -> FieldSpec:
    ftype = raw.get("type", "str")
    if ftype not in TYPES:
        raise MappingError(f"{section}.{fname}: unknown type {ftype!r}")
    multi = bool(raw.get("multi", False))
    if multi and kind != "object":
        raise MappingError(f"{section}.{fname}: 'multi' is only allowed in object sections")
    column, table = raw.get("sqlite"), None
    if isinstance(column, dict):
        table, column = column["table"], column["column"]
        if not multi:
            raise MappingError(f"{section}.{fname}: a separate SQLite table is only for multi fields")
    for sql_name in (column, table):
        if sql_name is not None and not _SQL_NAME_RE.match(sql_name):
            raise MappingError(f"{section}.{fname}: bad SQLite name {sql_name!r}")
    regex = None
    if raw.get("regex"):
        try:
            regex = re.compile(raw["regex"])
        except re.error as exc:
            raise MappingError(f"{section}.{fname}: bad regex: {exc}") from exc
        if regex.groups > 1:
            raise MappingError(f"{section}.{fname}: regex may have at most one group")
    return FieldSpec(
        name=fname, type=ftype, required=bool(raw.get("required", False)), multi=multi,
        xml=_field_path(section, fname, raw.get("xml")), sqlite_column=column, sqlite_table=table,
        format=raw.get("format"), regex=regex,
    )


def _field_path(section, fname, path) -> XmlPath | None:
    if path is None:
        return None
    parts = path.split("/")
    last = parts[-1]
    if last == "text()":
        steps, attr = parts[:-1], None
    elif last.startswith("@"):
        steps, attr = parts[:-1], last[1:]
    else:
        steps, attr = parts, None
    if not all(_XML_NAME_RE.match(s) for s in steps) or (attr is not None and not _XML_NAME_RE.match(attr)):
        raise MappingError(f"{section}.{fname}: bad XML field path {path!r}")
    return XmlPath(tuple(steps), attr, path)
