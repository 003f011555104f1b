"""Streaming reader for sysinfo XML, driven by a mapping.

lxml's push parser (libxml2) is fed 64 KiB chunks with DTD loading, entity resolution and the network
off, and reports elements to `_Target` (SAX style) instead of building a tree. Why not iterparse: with
iterparse, reading attributes back out of the built tree costs as much as parsing itself, which capped
an iterparse reader at ~45 % of bare iterparse throughput; here lxml hands each element's attributes
over as a dict, no tree is built, and the reader keeps ~55 % (bench/parse_throughput.py).

Each element gets a role by its path, resolved through a trie so no path string is ever built for known
elements: a record of a flat list section (made straight from the attributes dict), a record or object
section needing its subtree (captured with an lxml TreeBuilder, inner elements only), a structural
container, or unknown (counted by path, never fatal). The target enforces the limits libxml2 applies
only when it builds trees: nesting depth and text-node size.
"""
import re

from lxml import etree

from .convert import LocalClock
from .errors import ParseFailure
from .extract import ElementExtractor, Sink, flat_eligible, make_flat
from .limits import Limits
from .mapping import Mapping, MappingError
from .model import Header, SysinfoReport, UnknownElement

CHUNK = 64 * 1024
MAX_DEPTH = 256  # libxml2's own limit for trees without XML_PARSE_HUGE
MAX_TEXT = 10_000_000  # characters of text without an element boundary: libxml2's tree limit, a bomb

_E = etree.ErrorTypes
_BOMB_ERRORS = {_E.ERR_RESOURCE_LIMIT, _E.ERR_ENTITY_LOOP, _E.ERR_ENTITY_PE_INTERNAL}
_ENCODING_ERRORS = {_E.ERR_INVALID_ENCODING, _E.ERR_UNSUPPORTED_ENCODING, _E.ERR_UNKNOWN_ENCODING,
                    _E.ERR_ENCODING_NAME}
_ENTITY_ERRORS = {_E.ERR_UNDECLARED_ENTITY, _E.WAR_UNDECLARED_ENTITY, _E.ERR_UNPARSED_ENTITY,
                  _E.ERR_ENTITY_PROCESSING}
_CP1251_NAMES = {"windows-1251", "cp1251", "x-cp1251", "win-1251", "cp-1251"}

_DECL_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|$)", re.S)
_PI_RE = re.compile(r"<\?.*?(?:\?>|$)", re.S)
_ROOT_RE = re.compile(r"<[A-Za-z_:\x80-\uffff]")
_DOCTYPE_RE = re.compile(r"<!DOCTYPE\b", re.I)
_EXTERNAL_ID_RE = re.compile(r"\b(SYSTEM|PUBLIC)\b")
_ENTITY_RE = re.compile(r"<!ENTITY\b[^>]*", re.I)

# Role kinds, most frequent first.
FLAT, CONTAINER, CAPTURE, INNER, UNKNOWN = range(5)


class _Role:
    __slots__ = ("path", "kind", "children", "flat", "extractor", "out", "objects", "present", "known_attrs",
                 "label", "wants_text")

    def __init__(self, path: tuple[str, ...], kind: int = CONTAINER):
        self.path = path
        self.kind = kind
        self.children: dict[str, _Role] = {}
        self.flat = None  # generated extractor for FLAT records
        self.extractor: ElementExtractor | None = None  # records: the reference extractor
        self.out: list = []  # records of a list section
        self.objects: list = []  # (section name, ElementExtractor) for object sections on this element
        self.present: list = []  # list sections whose container this element is
        self.known_attrs: frozenset = frozenset()
        self.label = "/" + "/".join(path)
        self.wants_text = True  # FLAT records without a text() field skip collecting their text


def check_prolog(head: bytes, limits: Limits) -> None:
    """Reject DOCTYPEs with entities or external ids, and encoding lies, before libxml2 sees the file.

    `head` is the first max_prolog_bytes. The root element must start within it, so any DOCTYPE (which
    must precede the root) is in view: this scan is complete, not a heuristic.
    """
    text = _decode_for_scan(head)
    scan = _PI_RE.sub("", _COMMENT_RE.sub("", text))
    root = _ROOT_RE.search(scan)
    if root is None and len(head) >= limits.max_prolog_bytes:
        raise ParseFailure("malformed_xml", f"no root element within the first {limits.max_prolog_bytes} bytes")
    doctype = _DOCTYPE_RE.search(scan)
    if doctype and (root is None or doctype.start() < root.start()):
        decl = scan[doctype.start(): root.start() if root else len(scan)]
        subset_at = decl.find("[")
        external_dtd = _EXTERNAL_ID_RE.search(decl if subset_at < 0 else decl[:subset_at])
        entities = _ENTITY_RE.findall(decl)
        if external_dtd or any(_EXTERNAL_ID_RE.search(e) for e in entities):
            raise ParseFailure("external_entity", "DOCTYPE refers to an external DTD or entity")
        if entities:
            raise ParseFailure("xml_bomb", f"DOCTYPE declares {len(entities)} entities")
    match = _DECL_ENCODING_RE.match(head.removeprefix(b"\xef\xbb\xbf"))
    if match and match.group(1).decode("ascii").lower() in _CP1251_NAMES and _looks_like_utf8(head):
        raise ParseFailure("bad_encoding", "declared windows-1251 but the bytes are UTF-8")


def parse_sysinfo_xml(stream, *, clock: LocalClock, mapping: Mapping, limits: Limits) -> SysinfoReport:
    """Parse a sysinfo XML byte stream (anything with read(size)) into a SysinfoReport."""
    target = _Target(mapping, clock, limits)
    parser = etree.XMLParser(
        target=target, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True, remove_pis=True, collect_ids=False,
    )
    try:
        while chunk := stream.read(CHUNK):
            parser.feed(chunk)
            buffer = target.buffer
            if len(buffer) > 64 and sum(map(len, buffer)) > MAX_TEXT:
                raise ParseFailure("xml_bomb", f"a text node longer than {MAX_TEXT} characters")
    except etree.XMLSyntaxError as exc:
        raise _classify(exc, at_end=False) from None
    try:
        parser.close()
    except etree.XMLSyntaxError as exc:
        # Errors that only show once the input has ended mean the file was cut off (E4).
        raise _classify(exc, at_end=True) from None
    return target.report()


class _Target:
    """Receives parser events; keeps a stack of [role, attrib, had_child, text, builder] per open element."""

    def __init__(self, mapping: Mapping, clock: LocalClock, limits: Limits):
        self.mapping = mapping
        self.sink = Sink(limits.max_warnings, limits.max_unknown_paths)
        self.buffer: list[str] = []
        self.data = self.buffer.append  # lxml calls target.data(text): a bare list append is cheapest
        self.objects: dict[str, object] = {}
        self.present: set[str] = set()
        self.lists: dict[str, _Role] = {}
        self.format_version: str | None = None
        self.top = _Role(())
        self.unknown_roles = 0
        self.max_unknown = limits.max_unknown_paths
        self._compile(clock)
        self.stack = [[self.top, None, False, None, None]]

    # ---- compiling the mapping into a trie of roles -------------------------------------------

    def _role(self, path: tuple[str, ...]) -> _Role:
        node = self.top
        for depth in range(len(path)):
            child = node.children.get(path[depth])
            if child is None:
                child = node.children[path[depth]] = _Role(path[: depth + 1])
            node = child
        return node

    def _compile(self, clock: LocalClock) -> None:
        self._role((self.mapping.root,)).known_attrs = frozenset(self.mapping.root_attributes)
        attrs: dict[tuple[str, ...], set[str]] = {}
        inner: list[tuple[tuple[str, ...], str]] = []
        records: dict[tuple[str, ...], str] = {}
        for spec in self.mapping.sections:
            if spec.xml is None:
                continue
            base = spec.xml
            role = self._role(base)
            extractor = ElementExtractor(spec, clock, self.sink, role.label, check_attrs=spec.kind == "list")
            if spec.kind == "list":
                if base in records:
                    raise MappingError(f"two list sections share the XML path {role.label}")
                records[base] = spec.name
                role.extractor = extractor
                if flat_eligible(spec):
                    role.kind, role.flat = FLAT, make_flat(spec, clock)
                    role.wants_text = any(f.xml is not None and f.xml.attr is None for f in spec.fields)
                else:
                    role.kind = CAPTURE
                self.lists[spec.name] = role
                self._role(base[:-1]).present.append(spec.name)
            else:
                role.objects.append((spec.name, extractor))
                if role.kind == CONTAINER:
                    role.kind = CAPTURE
            for sub, sub_spec in _element_paths(spec, base):
                if sub != base:
                    inner.append((sub, spec.name))
                for fspec in sub_spec.fields:
                    if fspec.xml is None:
                        continue
                    if fspec.xml.attr is not None:
                        attrs.setdefault(sub + fspec.xml.steps, set()).add(fspec.xml.attr)
                    inner += [(sub + fspec.xml.steps[: i + 1], spec.name) for i in range(len(fspec.xml.steps))]
        for path, owner in inner:
            if any(path[: len(rec)] == rec and name != owner for rec, name in records.items()):
                raise MappingError(f"section {owner!r} reads /{'/'.join(path)} inside another list's records")
            role = self._role(path)
            if role.kind == CONTAINER:
                role.kind = INNER
        for path, names in attrs.items():
            role = self._role(path)
            role.known_attrs = role.known_attrs | frozenset(names)

    def _unknown_child(self, parent: _Role, tag) -> _Role:
        tag = tag if isinstance(tag, str) else str(tag)
        role = _Role(parent.path + (tag,), UNKNOWN)
        if self.unknown_roles < self.max_unknown:  # bounded: tags come from untrusted input
            self.unknown_roles += 1
            parent.children[tag] = role
        return role

    # ---- parser events ------------------------------------------------------------------------

    def doctype(self, name, public_id, system_url) -> None:
        if public_id or system_url:
            raise ParseFailure("external_entity", f"external DTD {(system_url or public_id)[:100]!r}")

    def start(self, tag, attrib) -> None:
        stack = self.stack
        parent = stack[-1]
        buffer = self.buffer
        if not parent[2]:
            parent[2] = True  # the parent's text (text before its first child) is complete
            if buffer:
                parent[3] = "".join(buffer)
                if parent[4] is not None:
                    parent[4].data(parent[3])
        buffer.clear()
        role = parent[0].children.get(tag) or self._unknown_child(parent[0], tag)
        kind = role.kind
        if kind == FLAT:
            stack.append([role, attrib, False, None, None])
            return
        if len(stack) > MAX_DEPTH:
            raise ParseFailure("xml_bomb", f"elements nested deeper than {MAX_DEPTH}")
        attrib = self._clean(role, attrib)
        builder = parent[4]
        if kind == CAPTURE:
            builder = etree.TreeBuilder()
        elif kind != INNER or builder is None:
            builder = None
        if builder is not None:
            builder.start(tag, attrib)
        stack.append([role, attrib, False, None, builder])
        if len(stack) == 2:
            self._root(tag, attrib)
        if kind == UNKNOWN:
            self.sink.unknown_path(role.label, _sample(tag, attrib))
        elif kind != FLAT and attrib and not role.known_attrs.issuperset(attrib):
            for name in attrib:
                if name not in role.known_attrs:
                    self.sink.unknown_path(f"{role.label}/@{name}", attrib[name])

    def end(self, tag) -> None:
        entry = self.stack.pop()
        role = entry[0]
        buffer = self.buffer
        if role.kind == FLAT:  # the hot path: one call per record of users, sessions, search log, ...
            if not role.wants_text:
                text = None
            elif not entry[2]:
                text = "".join(buffer) if buffer else None
            else:
                text = entry[3]
            buffer.clear()
            obj = role.flat(entry[1], text)
            if obj is None:
                obj = role.extractor.extract(_element(tag, self._clean(role, entry[1]), text))
            if obj is not None:
                role.out.append(obj)
            return
        if not entry[2]:
            text = "".join(buffer) if buffer else None
        else:
            text = entry[3]  # later text is the tail of a child: not this element's text
        builder = entry[4]
        if builder is not None:
            if not entry[2] and text is not None:
                builder.data(text)
            builder.end(tag)
        buffer.clear()
        if role.kind == CAPTURE:
            self._captured(role, builder.close())
        elif role.present:
            self.present.update(role.present)

    def close(self) -> None:
        return None

    def _clean(self, role: _Role, attrib) -> dict:
        """Attributes fit for lxml's element API: '&' restored, names it refuses reported as unknown.

        libxml2 accepts some names lxml's API does not (":x", "a:"); they are never mapped anyway.
        """
        attrib = _unescaped(attrib)
        bad = [name for name in attrib if not _valid_attribute(name)]
        if not bad:
            return attrib
        for name in bad:
            self.sink.unknown_path(f"{role.label}/@{name}", attrib[name])
        return {name: value for name, value in attrib.items() if name not in bad}

    # ---- sections -----------------------------------------------------------------------------

    def _root(self, tag, attrib) -> None:
        if tag != self.mapping.root:
            raise ParseFailure("not_sysinfo", f"root element <{str(tag)[:40]}>, expected <{self.mapping.root}>")
        if self.mapping.version_attribute:
            self.format_version = attrib.get(self.mapping.version_attribute)

    def _captured(self, role: _Role, el) -> None:
        if role.extractor is not None:  # a record that needs its subtree (e.g. a volume and its errors)
            obj = role.extractor.extract(el)
            if obj is not None:
                role.out.append(obj)
        for name, extractor in role.objects:
            obj = extractor.extract(el)
            self.objects[name] = None if obj is None or _blank(obj) else obj
        self.present.update(role.present)

    def report(self) -> SysinfoReport:
        """The report once the document has ended; bad_header if it had no generation time."""
        header = self.objects.get("header")
        if not isinstance(header, Header) or header.generated_at is None:
            raise ParseFailure("bad_header", "no header with a valid generation time")
        values = dict(self.objects)
        for name, role in self.lists.items():
            values[name] = tuple(role.out) if name in self.present or role.out else None
        unknown = tuple(UnknownElement(p, c, s) for p, (c, s) in sorted(self.sink.unknown.items()))
        return SysinfoReport(source_format="xml", format_version=self.format_version,
                             mapping=self.mapping.label, unknown=unknown,
                             warnings=self.sink.final_warnings(), **values)


def _element_paths(spec, base):
    """(element path, section spec) for a section and, recursively, its child record paths."""
    yield base, spec
    for child in spec.children:
        if child.xml is not None:
            yield from _element_paths(child, base + child.xml)


def _unescaped(attrib):
    """Attribute values as the document means them.

    Without entity substitution (resolve_entities=False) libxml2's SAX interface passes '&' in attribute
    values on as "&#38;"; no other sequence is affected, and a literal "&#38;" would itself arrive as
    "&#38;#38;", so this replacement is exact.
    """
    if any("&" in value for value in attrib.values()):
        return {name: value.replace("&#38;", "&") for name, value in attrib.items()}
    return attrib


_NAME_OK: dict[str, bool] = {}  # attribute name -> accepted by lxml's API (bounded cache)


def _valid_attribute(name: str) -> bool:
    ok = _NAME_OK.get(name)
    if ok is None:
        try:
            etree.Element("probe").set(name, "")
            ok = True
        except ValueError:
            ok = False
        if len(_NAME_OK) < 10_000:
            _NAME_OK[name] = ok
    return ok


def _element(tag, attrib, text):
    """A detached element for the reference extractor (the slow path of flat records)."""
    el = etree.Element(tag, attrib)
    el.text = text
    return el


def _blank(obj) -> bool:
    """An object section with no value at all is "not available" (the writer omits it too)."""
    return all(getattr(obj, name) is None for name in obj.__slots__)


def _sample(tag, attrib) -> str:
    attrs = " ".join(f'{k}="{str(v)[:40]}"' for k, v in list(attrib.items())[:8])
    return f"<{tag}{' ' + attrs if attrs else ''}>"


def _classify(exc: etree.XMLSyntaxError, *, at_end: bool) -> ParseFailure:
    # exc.code is this parse's error; exc.error_log of a feed parser is a shared log and may be stale.
    code, detail = exc.code, (exc.msg or "").strip()[:200]
    if code in _BOMB_ERRORS or "amplification" in detail.lower():
        return ParseFailure("xml_bomb", detail)
    if code in _ENTITY_ERRORS:
        return ParseFailure("malformed_xml", detail)
    if at_end:
        return ParseFailure("truncated", f"XML ends prematurely: {detail}")
    if code in _ENCODING_ERRORS:
        return ParseFailure("bad_encoding", detail)
    return ParseFailure("malformed_xml", detail)


def _decode_for_scan(head: bytes) -> str:
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, errors="ignore")
    if head[:2] in (b"<\x00", b"\x00<"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="ignore")
    return head.decode("latin-1")  # the markup we look for is ASCII in every ASCII-compatible encoding


def _looks_like_utf8(head: bytes) -> bool:
    if max(head, default=0) < 0x80:
        return False
    for cut in range(4):  # the head may end inside a multi-byte character
        try:
            head[: len(head) - cut].decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False
