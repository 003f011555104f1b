"""What SMART expects of vendor pages (paths, form fields, markers, XPath selectors), loaded from data
files beside this module (`pages/kte.json`, `pages/online.json`, schema `pages/schema.json`), so a changed
vendor page is a configuration change, not a code change."""
import json
from functools import cache
from pathlib import Path

DIR = Path(__file__).with_name("pages")


@cache
def load(kind: str) -> dict:
    """The page description for "kte" or "online"."""
    if kind not in ("kte", "online"):
        raise ValueError(f"no page description {kind!r}")
    return json.loads((DIR / f"{kind}.json").read_text(encoding="utf-8"))
