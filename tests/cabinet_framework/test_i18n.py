"""Every message the cabinet shows has a Russian translation, and the language switch works.

The msgids are read from the sources the way makemessages would: Python by its syntax tree (gettext, _,
gettext_lazy, pgettext, ngettext and their lazy forms, whatever they are imported as), templates through
Django's own `templatize` ({% translate %}, {% blocktranslate %} with context, plural and `trimmed`). The
catalogue is every .po of smart/locale/ru/LC_MESSAGES merged as smart/i18n.py merges them (first file wins).
"""
import ast
import re
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils.translation.template import templatize

import smart
from smart.i18n import SOURCE, _sources

CABINET = Path(smart.__file__).parent / "cabinet"
FUNCS = {"gettext": "s", "gettext_lazy": "s", "gettext_noop": "s", "_": "s", "pgettext": "cs", "pgettext_lazy": "cs",
         "ngettext": "sp", "ngettext_lazy": "sp", "npgettext": "csp", "npgettext_lazy": "csp"}
_LIT = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_TPL_CALL = re.compile(rf"\b(gettext|pgettext|ngettext|npgettext|_)\(\s*({_LIT}(?:\s*,\s*{_LIT})*)")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def _python_msgids(path: Path):
    tree = ast.parse(path.read_text(), str(path))
    names = {"_": "_"}  # local name -> gettext function
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for a in node.names:
                if a.name in FUNCS:
                    names[a.asname or a.name] = a.name
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fn = node.func.id if isinstance(node.func, ast.Name) else (
            node.func.attr if isinstance(node.func, ast.Attribute) else None)
        kind = FUNCS.get(names.get(fn, fn if isinstance(node.func, ast.Attribute) else None))
        if not kind:
            continue
        args = node.args[:len(kind)]
        if len(args) < len(kind) or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
            continue  # a variable, not a literal: not a msgid
        vals = dict(zip(kind, (a.value for a in args)))
        yield vals.get("c"), vals["s"], vals.get("p"), f"{path.relative_to(CABINET.parent.parent)}:{node.lineno}"


def _template_msgids(path: Path):
    code = templatize(path.read_text(), origin=str(path))
    for m in _TPL_CALL.finditer(code):
        lits = [ast.literal_eval(x) for x in re.findall(_LIT, m.group(2))]
        fn = {"_": "gettext"}.get(m.group(1), m.group(1))
        vals = dict(zip(FUNCS[fn], lits))
        yield vals.get("c"), vals["s"], vals.get("p"), str(path.relative_to(CABINET.parent.parent))


def used_msgids():
    out = []
    for path in sorted(CABINET.rglob("*.py")):
        out += list(_python_msgids(path))
    for path in sorted(CABINET.rglob("*.html")) + sorted(CABINET.rglob("*.txt")):
        out += list(_template_msgids(path))
    return out


def merged_catalogue(lang="ru") -> dict:
    lc = SOURCE / lang / "LC_MESSAGES"
    merged = {}
    for po_path in _sources(lc):
        for e in polib.pofile(str(po_path)):
            if not e.obsolete:
                merged.setdefault((e.msgctxt, e.msgid), e)
    return merged


def test_the_extractor_sees_every_kind_of_call():
    ids = {(c, s) for c, s, _p, _w in used_msgids()}
    assert (None, "Last 2 years") in ids  # gettext_lazy as _ in timerange.py
    assert (None, "Apply time range") in ids  # {% translate %}
    assert (None, "Link copied") in ids  # {% translate ... as s %}
    assert len(ids) > 100


def test_every_cabinet_msgid_has_a_russian_translation():
    cat = merged_catalogue()
    missing, bad = [], []
    for ctx, msgid, plural, where in used_msgids():
        e = cat.get((ctx, msgid))
        label = f"{where}: {msgid!r}" + (f" (context {ctx!r})" if ctx else "")
        if e is None or "fuzzy" in e.flags:
            missing.append(label)
            continue
        texts = list(e.msgstr_plural.values()) if plural else [e.msgstr]
        if plural and len(texts) < 3:
            missing.append(label + " (needs three Russian plural forms)")
        elif not all(t.strip() for t in texts):
            missing.append(label)
        elif any(sorted(_PLACEHOLDER.findall(t)) != sorted(_PLACEHOLDER.findall(msgid)) for t in texts[:1]):
            bad.append(f"{label}: placeholders differ in {texts[0]!r}")
    missing = sorted(set(missing))
    assert not missing and not bad, f"{len(missing)} untranslated:\n" + "\n".join(missing[:80] + bad)


@pytest.mark.django_db
def test_pages_are_russian_by_default_and_english_on_request(world):
    c = Client()
    c.force_login(world.a.dealer_admin)
    page = c.get("/d/").content.decode()
    assert '<html lang="ru">' in page and "<h1>Дашборды</h1>" in page and "Выйти" in page
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/d/"})
    assert r.status_code == 302 and r["Location"] == "/d/"
    page = c.get("/d/").content.decode()
    assert '<html lang="en">' in page and "<h1>Dashboards</h1>" in page and "Sign out" in page
    assert "Дашборды" not in page
    c.post("/i18n/setlang/", {"language": "ru", "next": "/d/"})
    assert "<h1>Дашборды</h1>" in c.get("/d/").content.decode()
    # the sign-in page too, before anyone is signed in
    anon = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign in to SMART" in anon.get("/login/").content.decode()
    assert "Вход в SMART" in Client().get("/login/").content.decode()
