"""The dashboard framework's Python side: a dashboard is a list of panels; a panel is a query over a Ctx.

A panel's `query(ctx)` returns plain JSON-able data in one of these shapes (the page's script draws them):

- "timeseries" / "bars": {"series": [{"name": str, "x": [iso8601, ...], "y": [number|None, ...]}],
                         "unit": str, "bands": [{"from": n, "to": n, "color": css}]}
- "table": {"columns": [{"key": str, "title": str, "type": "text|number|datetime|link|badge"}],
            "rows": [{key: value, ..., "_links": {key: url}}]}
- "stat": {"value": number|str|None, "unit": str, "link": url|None, "color": css|None}
- "text": {"html": str} (trusted HTML from the product, never from input)

Any shape may carry "notice": a sentence shown above the panel (e.g. "no data for this range").
"""
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Callable
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from smart.metrics.queries import Range

from .. import scope
from ..timerange import TimeRange

KINDS = {"timeseries", "bars", "table", "stat", "text"}


@dataclass
class Ctx:
    """One request's view of the data: the user's scope narrowed by the dashboard's variables."""

    user: object
    now: datetime
    tr: TimeRange
    tz: ZoneInfo
    vars: dict[str, list[str]] = field(default_factory=dict)

    @property
    def range(self) -> Range:
        return Range(self.tr.start, self.tr.end)

    def values(self, name: str) -> list[str]:
        """A variable's chosen values; empty means "All"."""
        return [v for v in self.vars.get(name, []) if v and v != "__all"]

    def ints(self, name: str) -> list[int]:
        return [int(v) for v in self.values(name) if v.isdigit()]

    @cached_property
    def clients(self) -> QuerySet:
        qs = scope.clients(self.user)
        if d := self.ints("dealer"):
            qs = qs.filter(dealer_id__in=d)
        if b := self.ints("branch"):
            qs = qs.filter(branch_id__in=b)
        if c := self.ints("client"):
            qs = qs.filter(pk__in=c)
        if m := self.ints("manager"):
            from django.db.models import Q
            qs = qs.filter(Q(managers__in=m) | Q(installations__manager__in=m) | Q(online_accesses__manager__in=m))
            qs = qs.model.objects.filter(pk__in=qs.values("pk"))
        return qs

    @cached_property
    def installations(self) -> QuerySet:
        qs = scope.installations(self.user).filter(client__in=self.clients.values("pk"))
        if h := self.ints("host"):
            qs = qs.filter(pk__in=h)
        if m := self.ints("manager"):
            from django.db.models import Q
            qs = qs.filter(Q(manager__in=m) | Q(manager__isnull=True, client__managers__in=m)).distinct()
            qs = qs.model.objects.filter(pk__in=qs.values("pk"))
        return qs

    @cached_property
    def online_accesses(self) -> QuerySet:
        qs = scope.online_accesses(self.user).filter(client__in=self.clients.values("pk"))
        if m := self.ints("manager"):
            qs = qs.filter(manager__in=m)
        return qs

    @cached_property
    def installation_ids(self) -> list[int]:
        return list(self.installations.values_list("pk", flat=True))

    @cached_property
    def dealer_ids(self) -> list[int] | None:
        ids = scope.dealer_ids(self.user)
        if d := self.ints("dealer"):
            ids = [i for i in d if ids is None or i in ids]
        return ids


@dataclass
class Panel:
    key: str
    title: object  # a lazy translation
    kind: str
    query: Callable[[Ctx], dict]
    width: int = 6  # grid columns of 12
    height: int = 320  # px
    description: object = ""
    unit: str = ""
    monthly: bool = False  # a month-based metric: warn when the range cuts a month

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"panel {self.key}: unknown kind {self.kind}")


@dataclass
class Dashboard:
    slug: str
    title: object
    panels: list[Panel]
    variables: tuple[str, ...] = ("client", "host")
    default_from: str = "now-24h"
    business: bool = False  # business analytics: not shown to technicians
    description: object = ""
    group: object = ""  # the section in the dashboard list

    def panel(self, key: str) -> Panel | None:
        return next((p for p in self.panels if p.key == key), None)

    def visible_to(self, user) -> bool:
        return user.is_authenticated and (not self.business or scope.sees_business(user))


REGISTRY: dict[str, Dashboard] = {}


def register(dashboard: Dashboard) -> Dashboard:
    if dashboard.slug in REGISTRY:
        raise ValueError(f"dashboard {dashboard.slug} registered twice")
    keys = [p.key for p in dashboard.panels]
    if len(keys) != len(set(keys)):
        raise ValueError(f"dashboard {dashboard.slug}: duplicate panel keys")
    REGISTRY[dashboard.slug] = dashboard
    return dashboard


def iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None
