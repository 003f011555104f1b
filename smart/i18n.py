"""Message catalogues: the .po sources ship with SMART; the compiled .mo files are built on first use
into the data dir (pure Python, polib), so no build step or gettext tools are needed to install.

Each language folder may hold several .po files (one per area: `django.po`, `cabinet-pages.po`, ...); they
are merged into the one `django.mo` Django reads. A msgid translated in two files keeps the first file's
text (files in name order, `django.po` first)."""
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "locale"


def _sources(lc_dir: Path) -> list[Path]:
    return sorted(lc_dir.glob("*.po"), key=lambda p: (p.name != "django.po", p.name))


def compiled_locale_dir(data_dir: Path) -> Path:
    """Compile every <lang>/LC_MESSAGES/*.po under SOURCE into data_dir/locale/<lang>/LC_MESSAGES/django.mo
    when missing or older than one of its sources."""
    target = data_dir / "locale"
    for lc_dir in SOURCE.glob("*/LC_MESSAGES"):
        sources = _sources(lc_dir)
        if not sources:
            continue
        mo_path = target / lc_dir.relative_to(SOURCE) / "django.mo"
        newest = max(p.stat().st_mtime for p in sources)
        if mo_path.exists() and mo_path.stat().st_mtime >= newest:
            continue
        import polib

        merged = polib.pofile(str(sources[0]))
        seen = {(e.msgctxt, e.msgid) for e in merged}
        for extra in sources[1:]:
            for entry in polib.pofile(str(extra)):
                if (entry.msgctxt, entry.msgid) not in seen:
                    merged.append(entry)
                    seen.add((entry.msgctxt, entry.msgid))
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = mo_path.with_suffix(".mo.tmp")
        merged.save_as_mofile(str(tmp))
        tmp.replace(mo_path)  # atomic: concurrent processes never read half a file
    return target
