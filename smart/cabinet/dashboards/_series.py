"""Shared shaping of panel data for the business dashboards: series from {key: [(t, v)]}, colour bands,
cell classes. (A private module: the package's auto-import skips names starting with "_".)"""
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from ..queries_bizinst import local_midnight

RED, YELLOW, GREEN = "#d64545", "#e0a800", "#2e9d4f"
MAX_SERIES = 60  # per chart: beyond this a legend is unreadable; the rest is named in a notice

# A5 / A1: involvement % (B §A5, pixel-checked): <60 red, 60–80 yellow, 80–150 green, >150 red
INVOLVEMENT_BANDS = [{"from": 0, "to": 60, "color": RED}, {"from": 60, "to": 80, "color": YELLOW},
                     {"from": 80, "to": 150, "color": GREEN}, {"from": 150, "to": 1000, "color": RED}]
# A4: activity below 20 is red (KodeksUserActivityIsLow)
ACTIVITY_BANDS = [{"from": 0, "to": 20, "color": RED}, {"from": 20, "to": 10 ** 9, "color": GREEN}]
# A16: filled cards, the Service Standard steps
CARD_BANDS = [
    {"from": 0, "to": 10, "color": "#8b0000"}, {"from": 10, "to": 20, "color": "#d62728"},
    {"from": 20, "to": 50, "color": "#f08080"}, {"from": 50, "to": 70, "color": "#f5e79e"},
    {"from": 70, "to": 80, "color": "#f2c94c"}, {"from": 80, "to": 90, "color": "#a8d8a0"},
    {"from": 90, "to": 100, "color": "#2e9d4f"}, {"from": 100, "to": 110, "color": "#1b6e35"},
]
OPERUP_OLD_S = 3 * 86400  # A3: three days


def x_of(t, tz):
    if isinstance(t, datetime):
        return t
    if isinstance(t, date):
        return local_midnight(t, tz)
    return t


def series(named: dict, tz, **style) -> list[dict]:
    """{name: [(t, v), ...]} → framework series, sorted by name. A None point breaks the line."""
    out = []
    for name in sorted(named, key=str):
        points = named[name]
        item = {"name": str(name), "x": [x_of(t, tz) for t, _v in points],
                "y": [None if v is None else round(v, 2) if isinstance(v, float) else v for _t, v in points], **style}
        if len(points) == 1 and "mode" not in style:
            item["mode"] = "markers"  # a lone point draws no line
        out.append(item)
    return out


def top(named: dict, limit: int = MAX_SERIES) -> tuple[dict, str | None]:
    """The `limit` series with the largest values; a notice naming how many were left out."""
    peaks = {k: max((v for _t, v in named[k] if v is not None), default=0) for k in named}
    keys, notice = top_keys(peaks, limit)
    return {k: named[k] for k in keys}, notice


def top_keys(peaks: dict, limit: int = MAX_SERIES) -> tuple[list, str | None]:
    """The keys of the `limit` largest peak values (ties keep the given order), and the notice of `top`: for
    panels that rank series by a peak computed in the database and then fetch only the kept ones."""
    if len(peaks) <= limit:
        return list(peaks), None
    ranked = sorted(peaks, key=lambda k: peaks[k] if peaks[k] is not None else 0, reverse=True)
    return ranked[:limit], str(_("The %(shown)d largest of %(total)d series are drawn; narrow the filters to see "
                                 "the others.") % {"shown": limit, "total": len(peaks)})


def fit_bands(bands: list[dict], items: list[dict]) -> list[dict]:
    """The top band ends just above the data (a chart's axis grows to cover its shapes), never below 110 % of
    where it starts, so that the over-the-threshold colour always shows."""
    top_value = max((y for s in items for y in s["y"] if y is not None), default=0)
    *rest, last = bands
    return [*rest, {**last, "to": max(last["from"] * 1.1, top_value * 1.1)}]


def chart(items: list[dict], unit: str = "", notice: str | None = None, **extra) -> dict:
    if extra.get("bands"):
        extra["bands"] = fit_bands(extra["bands"], items)
    data = {"series": items, "unit": unit, **extra}
    if notice:
        data["notice"] = notice
    return data


def level(value, bands, classes=("bad", "warn", "ok", "bad")) -> str:
    """The css class of a value by bands (the first whose range holds it); None is bad."""
    if value is None:
        return "bad"
    for band, css in zip(bands, classes):
        if band["from"] <= value < band["to"]:
            return css
    return classes[-1]


def domain_notice(ctx) -> str | None:
    if ctx.values("domain"):
        return str(_("The domain filter does not apply here: these figures are kept per installation, not per user."))
    return None
