"""A test-only dashboard exercising every panel kind, registered for the duration of a test."""
from datetime import timedelta

import pytest

from cabinet.fixtures import *  # noqa: F401,F403
from smart.cabinet.dashboards import REGISTRY, Dashboard, Panel, register

SLUG = "fw-test"
SERIES = ["alpha", "beta", "gamma"]
TABLE_ROWS = 120


def _points(ctx, n=48):
    step = (ctx.tr.end - ctx.tr.start) / n
    return [ctx.tr.start + step * i for i in range(n + 1)]


def q_timeseries(ctx):
    xs = _points(ctx)
    return {"series": [{"name": name, "x": [x.isoformat() for x in xs], "y": [(k + 1) * 10 + i % 5 for i in range(len(xs))]}
                       for k, name in enumerate(SERIES)]}


def q_bars(ctx):
    xs = _points(ctx, 6)
    return {"series": [{"name": "uploads", "x": [x.isoformat() for x in xs], "y": [i * 2 for i in range(len(xs))]}]}


def q_table(ctx):
    """120 rows; `when` is the range start plus i hours (times in the user's zone on the page), `note` is long."""
    rows = [{"name": f"row-{i:03d}", "value": (i * 37) % 120, "when": (ctx.tr.start + timedelta(hours=i)).isoformat(),
             "note": f"row {i} " + "a very long explanatory text that a narrow column cannot show " * 2}
            for i in range(TABLE_ROWS)]
    return {"columns": [{"key": "name", "title": "Name", "type": "text"},
                        {"key": "value", "title": "Value", "type": "number"},
                        {"key": "when", "title": "When", "type": "datetime"},
                        {"key": "note", "title": "Note", "type": "text"}], "rows": rows}


def q_stat(ctx):
    """The number of installations under the chosen variables: proves the variables reach the query."""
    return {"value": len(ctx.installation_ids), "unit": "inst"}


def make_dashboard():
    return Dashboard(SLUG, "Framework test", [
        Panel("series", "Three series", "timeseries", q_timeseries, width=6),
        Panel("bars", "Bars", "bars", q_bars, width=6),
        Panel("table", "Big table", "table", q_table, width=12),
        Panel("stat", "Monthly stat", "stat", q_stat, width=3, monthly=True),
    ], variables=("client", "host"), default_from="now-24h")


@pytest.fixture
def test_dashboard():
    dash = register(make_dashboard())
    yield dash
    REGISTRY.pop(SLUG, None)
