"""The K/TE installation error codes (D §2) as the KodeksDBerrors* conditions need them: which code an
entry really is (aliases normalised, EC-1), its suggested P-level and English meaning (EC-2). The
catalogue is data, kte_error_codes.json; codes 5 and 4101 exist in two groups and are told apart by the
entry's group, never by the number alone."""
import json
import re
from functools import cache
from pathlib import Path

CODES_PATH = Path(__file__).with_name("kte_error_codes.json")


@cache
def error_codes() -> dict:
    """kte_error_codes.json as {(group, code): entry}, plus aliases as {(group, alias): code}."""
    data = json.loads(CODES_PATH.read_text(encoding="utf-8"))
    entries = {(e["group"], e["code"]): e for e in data["codes"]}
    aliases = {(e["group"], a): e["code"] for e in data["codes"] for a in e["aliases"]}
    return {"entries": entries, "aliases": aliases}


def normalised(group: str, code: int | None, alias: int | None) -> int | None:
    """The main code of an entry: 4103 → 2007 and so on, by the entry's group when it has one; without
    a group an alias is normalised only if no group uses that number as its own code (4101)."""
    code = code if code is not None else alias
    if code is None:
        return None
    table = error_codes()
    if group:
        return table["aliases"].get((group, code), code)
    owners = {g for g, c in table["entries"] if c == code}
    targets = {c for (g, a), c in table["aliases"].items() if a == code}
    return targets.pop() if len(targets) == 1 and not owners else code


def describe(group: str, code: int | None) -> dict | None:
    """The catalogue entry of a (normalised) code: by group first, then by number if unambiguous."""
    entries = error_codes()["entries"]
    if (group, code) in entries:
        return entries[(group, code)]
    matches = [e for (g, c), e in entries.items() if c == code]
    return matches[0] if len(matches) == 1 else None


def message_key(message: str) -> str:
    """A DB error message normalised for grouping: case, spacing and trailing punctuation ignored."""
    return re.sub(r"\s+", " ", (message or "").casefold()).strip(" .;:!")
