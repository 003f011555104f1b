"""The catalogue of ingest answer codes (errors.json): stable machine codes with RU/EN messages."""
import json
from functools import lru_cache
from pathlib import Path

CATALOGUE_PATH = Path(__file__).with_name("errors.json")


@lru_cache(maxsize=1)
def catalogue() -> dict:
    return json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))


class IngestError(Exception):
    """A refusal with a catalogue code; `detail` adds specifics (a limit, a name)."""

    def __init__(self, code: str, detail: str = "", headers: dict | None = None):
        if code not in catalogue():
            raise KeyError(f"unknown ingest code {code!r}")
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.headers = headers or {}

    @property
    def http_status(self) -> int:
        return catalogue()[self.code]["http"]


def body(code: str, detail: str = "", **extra) -> dict:
    """The JSON body of an answer with this code."""
    entry = catalogue()[code]
    payload = {"ok": entry["http"] < 300, "code": code, "message_ru": entry["ru"], "message_en": entry["en"]}
    if detail:
        payload["detail"] = detail
    payload.update(extra)
    return payload
