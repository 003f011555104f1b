"""Message catalogues: the .po sources ship with SMART; the compiled .mo files are built on first use
into the data dir (pure Python, polib), so no build step or gettext tools are needed to install."""
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "locale"


def compiled_locale_dir(data_dir: Path) -> Path:
    """Compile every <lang>/LC_MESSAGES/*.po under SOURCE into data_dir/locale when missing or older."""
    target = data_dir / "locale"
    for po_path in SOURCE.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(SOURCE).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        import polib

        mo_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = mo_path.with_suffix(".mo.tmp")
        polib.pofile(str(po_path)).save_as_mofile(str(tmp))
        tmp.replace(mo_path)  # atomic: concurrent processes never read half a file
    return target
