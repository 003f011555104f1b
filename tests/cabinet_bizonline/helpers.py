"""Calling panels the way the page does, and as plain functions with a fixed range."""
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import Client as HttpClient

MSK = ZoneInfo("Europe/Moscow")


def ctx_for(user, frm: str, to: str, now: datetime | None = None, tz=MSK, **variables):
    from smart.cabinet.dashboards.base import Ctx
    from smart.cabinet.timerange import TimeRange

    now = now or datetime(2026, 11, 20, 12, tzinfo=MSK)
    tr = TimeRange.from_query(frm, to, now, tz)
    return Ctx(user=user, now=now, tr=tr, tz=tz,
               vars={k: [str(v) for v in (vs if isinstance(vs, (list, tuple)) else [vs])] for k, vs in variables.items()})


def panel(slug, key, ctx):
    from smart.cabinet.dashboards import REGISTRY

    return REGISTRY[slug].panel(key).query(ctx)


def http(user) -> HttpClient:
    c = HttpClient()
    c.force_login(user)
    return c


def panel_json(client, slug, key, **params):
    resp = client.get(f"/d/{slug}/panel/{key}.json", params)
    assert resp.status_code == 200, resp.content[:500]
    return json.loads(resp.content)


def check_pages(slug, allowed, denied, params=None):
    """The page and every panel answer 200 to `allowed` users and 404 to `denied` ones."""
    from smart.cabinet.dashboards import REGISTRY

    dash = REGISTRY[slug]
    for user in allowed:
        c = http(user)
        assert c.get(f"/d/{slug}/", params or {}).status_code == 200
        for p in dash.panels:
            data = panel_json(c, slug, p.key, **(params or {}))
            assert isinstance(data, dict)
    for user in denied:
        c = http(user)
        assert c.get(f"/d/{slug}/", params or {}).status_code == 404
        for p in dash.panels:
            assert c.get(f"/d/{slug}/panel/{p.key}.json", params or {}).status_code == 404


def col(rows, key):
    return [r.get(key) for r in rows]


def series_by_name(data):
    return {s["name"]: s for s in data["series"]}
