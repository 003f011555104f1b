"""Shared pieces of the technical dashboards (not a dashboard: the leading underscore keeps it out of the
auto-import)."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import queries_tech as qt
from .base import iso

TECH_GROUP = gettext_lazy("Technical supervision")
AVAILABILITY_GROUP = gettext_lazy("Availability")


def series(name: str, points, **extra) -> dict:
    return {"name": name, "x": [iso(t) for t, _v in points], "y": [v for _t, v in points], **extra}


def capped_notice(shown: int, total: int) -> str | None:
    if total <= shown:
        return None
    return _("Showing %(shown)d of %(total)d series, the worst first; choose hosts or a client to see the others.") % {
        "shown": shown, "total": total}


def no_data_notice(data: dict) -> dict:
    if not data.get("series") and not data.get("rows") and "notice" not in data:
        data["notice"] = _("No data for this range.")
    return data


def ordered(items: list[dict], *, descending: bool, key=lambda s: qt.last_value(list(zip(s["x"], s["y"])))) -> list:
    """Series ordered as a legend sorted on Last*: series without a value go last."""
    have = [s for s in items if key(s) is not None]
    rest = [s for s in items if key(s) is None]
    have.sort(key=lambda s: (-key(s) if descending else key(s), s["name"]))
    return have + sorted(rest, key=lambda s: s["name"])


def link_row(row: dict, inst_id: int, *columns: str) -> dict:
    url = qt.installation_url(inst_id)
    row["_links"] = {c: url for c in columns}
    return row


def col(key: str, title, kind: str = "text") -> dict:
    return {"key": key, "title": str(title), "type": kind}
