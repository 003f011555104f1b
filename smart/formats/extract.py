"""Turning XML into model objects, as the mapping says.

- `ElementExtractor` (the reference) walks any mapped path of an element: attributes, text, child
  elements, multi values, regex; it reports every bad value and unknown attribute.
- `make_flat` builds, for flat sections (users, sessions, counters, search log, ...), a generated function
  working on the attributes dict the streaming parser already has; it gives up (None) on anything unusual
  and the caller then asks ElementExtractor, so the two paths always agree.
"""
import functools
import operator
from datetime import date, datetime

from .convert import LocalClock, converter, to_date
from .mapping import FieldSpec, SectionSpec
from .model import field_names


class Sink:
    """Collects warnings and unknown paths for one report, bounded so hostile input cannot bloat it."""

    def __init__(self, max_warnings: int, max_unknown: int):
        self.warnings: list[str] = []
        self.suppressed = 0
        self.unknown: dict[str, list] = {}  # path -> [count, sample]
        self.unknown_overflow = 0
        self._max_warnings = max_warnings
        self._max_unknown = max_unknown

    def warn(self, message: str) -> None:
        """Keep a warning (the first max_warnings; later ones are only counted)."""
        if len(self.warnings) < self._max_warnings:
            self.warnings.append(message)
        else:
            self.suppressed += 1

    def unknown_path(self, path: str, sample: str = "", count: int = 1) -> None:
        """Count an unknown element/attribute/table path; the first occurrence keeps a sample."""
        entry = self.unknown.get(path)
        if entry is not None:
            entry[0] += count
        elif len(self.unknown) < self._max_unknown:
            self.unknown[path] = [count, sample[:200]]
        else:
            self.unknown_overflow += count

    def final_warnings(self) -> tuple[str, ...]:
        """The kept warnings plus a note on what was suppressed."""
        extra = []
        if self.suppressed:
            extra.append(f"{self.suppressed} more warnings suppressed")
        if self.unknown_overflow:
            extra.append(f"{self.unknown_overflow} occurrences of further unknown paths not listed")
        return tuple(self.warnings + extra)


class ElementExtractor:
    """Builds `spec.cls` objects from elements located at the section's path."""

    def __init__(self, spec: SectionSpec, clock: LocalClock, sink: Sink, label: str, *, check_attrs: bool = False):
        self.spec = spec
        self.sink = sink
        self.label = label  # the element path, for warnings and unknown-attribute paths
        self.check_attrs = check_attrs  # records of list sections report their own unknown attributes
        self.known_attrs = frozenset(f.xml.attr for f in spec.fields if f.xml is not None and f.xml.is_local
                                     and f.xml.attr is not None)
        self._fields = [(f, converter(f.type, f.format, clock)) for f in spec.fields if f.xml is not None]
        self._children = [
            (c, ElementExtractor(c, clock, sink, f"{label}/{'/'.join(c.xml)}"))
            for c in spec.children if c.xml is not None
        ]

    def extract(self, el):
        """The model object for `el`, or None when a required value is missing or invalid."""
        if self.check_attrs:
            for name in el.keys():
                if name not in self.known_attrs:
                    self.sink.unknown_path(f"{self.label}/@{name}", el.get(name) or "")
        values = {}
        for spec, conv in self._fields:
            raws = _resolve(el, spec)
            converted = []
            for raw in raws:
                value = self._convert(spec, conv, raw)
                if value is not None:
                    converted.append(value)
            if spec.multi:  # present (possibly empty) when the repeated element's container exists
                container = "/".join(spec.xml.steps[:-1]) or "."
                values[spec.name] = tuple(converted) if raws or el.find(container) is not None else None
            else:
                values[spec.name] = converted[0] if converted else None
            if spec.required and values[spec.name] is None:
                self.sink.warn(f"{self.label}: record skipped, required {spec.xml.source} missing or invalid")
                return None
        for child, extractor in self._children:
            items = (extractor.extract(sub) for sub in el.iterfind("/".join(child.xml)))
            values[child.name] = tuple(item for item in items if item is not None)
        return self.spec.cls(**values)

    def _convert(self, spec: FieldSpec, conv, raw):
        if raw is None:
            return None
        if spec.regex is not None:
            match = spec.regex.search(raw)
            if match is None:
                return None
            raw = match.group(1) if spec.regex.groups else match.group(0)
        if spec.type == "str":
            return conv(raw)
        if not raw.strip():
            return None
        try:
            return conv(raw)
        except (ValueError, OverflowError):
            self.sink.warn(f"{self.label}/{spec.xml.source}: bad {spec.type} value {raw[:60]!r}")
            return None


def _resolve(el, spec: FieldSpec) -> list:
    """Raw text values for a field path relative to `el` (a list: several for multi fields)."""
    path = spec.xml
    if path.steps:
        targets = el.findall("/".join(path.steps)) if spec.multi else [el.find("/".join(path.steps))]
    else:
        targets = [el]
    if path.attr is not None:
        return [t.get(path.attr) for t in targets if t is not None]
    return [t.text for t in targets if t is not None]


class _IntCache(dict):
    """str -> int for counter values: int() on text costs ~0.14 us, a dict hit ~0.03 us, and a report
    repeats the same small numbers thousands of times. Bounded, since the keys come from the input."""

    def __missing__(self, text: str) -> int:
        value = int(text)
        if len(text) <= 12 and len(self) < 50_000:
            self[text] = value
        return value


_INTS = _IntCache()


def flat_eligible(spec: SectionSpec) -> bool:
    """Flat sections: every mapped field is an attribute or the text of the record element itself."""
    mapped = [f for f in spec.fields if f.xml is not None]
    return bool(mapped) and not spec.children and all(
        f.xml.is_local and not f.multi and f.regex is None for f in mapped
    )


def make_flat(spec: SectionSpec, clock: LocalClock):
    """A function (attributes dict, text) -> object, or None when anything is unusual.

    It is generated once per section (as dataclasses generate __init__), so a record costs a few dict
    lookups and inline conversions instead of a loop over field specs. None means "let ElementExtractor
    redo this record": a required value is missing, an attribute is unmapped, or a value does not
    convert. Attribute names come from the validated mapping and are embedded with repr().
    """
    attrs = [f.xml.attr for f in spec.fields if f.xml is not None and f.xml.attr is not None]
    namespace = {"cls": spec.cls, "INT": _INTS.__getitem__, "GETALL": operator.itemgetter(*attrs) if attrs else None,
                 "T": clock.to_utc, "OFF": clock.cached_offset, "Z": "+00:00",
                 "fromiso": datetime.fromisoformat, "dfromiso": date.fromisoformat, "D": to_date,
                 "BOOL": {"1": True, "0": False, "true": True, "false": False},
                 "fmt": {f.name: f.format for f in spec.fields}}
    exec(_flat_code(spec), namespace)  # noqa: S102 - source built from validated names only
    return namespace["make"]


@functools.cache
def _flat_code(spec: SectionSpec):
    return compile(_flat_source(spec), f"<flat extractor {spec.name}>", "exec")


def _flat_source(spec: SectionSpec) -> str:
    """Two paths: every mapped attribute present and nothing else (one itemgetter call, no None checks),
    or the general one (dict.get per attribute). Both give up (None) on anything unusual."""
    mapped = {f.name: f for f in spec.fields if f.xml is not None}
    var = {name: f"v{i}" for i, name in enumerate(mapped)}
    attrs = [f for f in mapped.values() if f.xml.attr is not None]
    texts = [f"    {var[f.name]} = text" for f in mapped.values() if f.xml.attr is None]
    text_required = [f"    if {var[f.name]} is None: return None" for f in mapped.values()
                     if f.required and f.xml.attr is None]
    # A required value that converts to None (blank text) is the generic path's to report.
    required = [f"obj.{f.name} is None" for f in mapped.values() if f.required and f.type == "str"]
    check = [f"if {' or '.join(required)}: return None"] if required else []
    lines = ["def make(a, text):"]
    if attrs:
        names = ", ".join(var[f.name] for f in attrs)
        lines += [f"    if len(a) == {len(attrs)}:", "        try:",
                  f"            {names}, = GETALL(a)" if len(attrs) > 1 else f"            {names} = GETALL(a)",
                  "        except KeyError:", "            return None  # an unmapped attribute"]
        lines += ["    " + line for line in texts + text_required]
        lines += ["        try:"] + ["            " + line for line in _conversions(spec, mapped, var, all_present=True)]
        lines += ["            " + line for line in check] + ["            return obj",
                  "        except (ValueError, OverflowError, KeyError, TypeError, AttributeError):",
                  "            return None"]
    lines.append("    g = a.get")
    lines += [f"    {var[f.name]} = g({f.xml.attr!r})" for f in attrs] + texts
    lines += [f"    if {var[f.name]} is None: return None" for f in mapped.values() if f.required]
    if attrs:  # every attribute must be a mapped one, else the reference extractor reports it
        lines.append(f"    if len(a) + ({''.join(var[f.name] + ', ' for f in attrs)}).count(None) != {len(attrs)}: return None")
    else:
        lines.append("    if a: return None")
    lines += ["    try:"] + ["        " + line for line in _conversions(spec, mapped, var, all_present=False)]
    lines += ["        " + line for line in check] + ["        return obj",
              "    except (ValueError, OverflowError, KeyError, TypeError, AttributeError):", "        return None"]
    return "\n".join(lines) + "\n"


def _conversions(spec: SectionSpec, mapped: dict, var: dict, *, all_present: bool) -> list[str]:
    """Statements ending with `obj = cls(...)`; with all attributes present, integers go through one map()."""
    lines = list(_float_checks(mapped, var))
    ints = [f for f in mapped.values() if f.type == "int" and f.xml.attr is not None] if all_present else []
    if len(ints) > 1:
        names = ", ".join(var[f.name] for f in ints)
        lines.insert(0, f"{names}, = map(INT, ({names},))")
    converted = {f.name for f in ints} if len(ints) > 1 else set()
    args = []
    for name in field_names(spec.cls):
        f = mapped.get(name)
        if f is None:
            args.append("None")
        elif name in converted:
            args.append(var[name])
        else:
            args.append(_inline(var[name], f, may_be_none=not (all_present and f.xml.attr is not None)))
    return lines + [f"obj = cls({', '.join(args)})"]


def _float_checks(mapped: dict, var: dict) -> list[str]:
    """Convert float fields in place; NaN and infinities are rejected (x - x is not 0 for them)."""
    lines = []
    for f in mapped.values():
        if f.type == "float":
            v = var[f.name]
            lines += [f"if {v} is not None:", f"    {v} = float({v})", f"    if {v} - {v} != 0: return None"]
    return lines


def _inline(v: str, spec: FieldSpec, *, may_be_none: bool) -> str:
    """Inline conversion of `v`; anything unusual raises, and the caller falls back to the generic path."""
    if spec.type == "float":
        return v  # converted by _float_checks
    if spec.type == "str":
        # With entities not substituted, libxml2 hands attribute values over with '&' kept as "&#38;".
        text = f"({v} if '&' not in {v} else {v}.replace('&#38;', '&'))" if spec.xml.attr else v
        return f"(({text}.strip() or None) if {v} is not None else None)" if may_be_none else f"({text}.strip() or None)"
    if spec.type == "local_datetime" and not spec.format:
        expr = f"((fromiso({v} + Z) - o{v}) if (o{v} := OFF({v}[:13])) is not None else T({v}))"
    elif spec.format:
        expr = {"date": f"D({v}, fmt[{spec.name!r}])", "local_datetime": f"T({v}, fmt[{spec.name!r}])"}[spec.type]
    else:
        expr = {"int": f"INT({v})", "bool": f"BOOL[{v}]", "date": f"dfromiso({v})"}[spec.type]
    return f"({expr} if {v} is not None else None)" if may_be_none else expr
