"""Dashboard "Disk space" (A §6 and §2.2, "Дисковое пространство"): free space of the partitions that hold
K/TE, from the free-disk series of the installations' .status files (the sysmon metrics), so no extra agent
(the original needed telegraf, set up per client) is needed."""
from collections import defaultdict
from datetime import timedelta

from django.db.models import Min, OuterRef, Subquery
from django.db.models.functions import Trunc
from django.utils.translation import gettext_lazy as _

from smart.metrics.models import DiskFree

from .. import queries_bizinst as qb
from ._tech import TECH_GROUP
from .base import Dashboard, Panel, register
from ._series import GREEN, MAX_SERIES, RED, chart, series

LOW_BYTES = 10 * 10 ** 9  # 10 GB (A §2.2)
GB = 10 ** 9


def _latest(ctx):
    """Every partition of each installation's newest .status file at or before the range end: the newest time
    per installation first (one correlated sub-query per installation, on the unique index), then its rows."""
    from smart.registry.models import Installation

    newest = (DiskFree.objects.filter(installation=OuterRef("pk"), observed_at__lt=ctx.tr.end)
              .order_by("-observed_at").values("observed_at")[:1])
    picked = dict(Installation.objects.filter(pk__in=ctx.installation_ids).annotate(t=Subquery(newest))
                  .exclude(t=None).values_list("pk", "t"))
    rows = (DiskFree.objects.filter(installation__in=list(picked), observed_at__in=set(picked.values()))
            .order_by("free_bytes", "installation_id", "path")
            .values_list("installation_id", "path", "free_bytes", "total_bytes", "observed_at"))
    return [r for r in rows if picked[r[0]] == r[4]]


def _table(ctx, low_only: bool) -> dict:
    lab = qb.labels(ctx.installations)
    rows = []
    for inst, path, free, total, at in _latest(ctx):
        if low_only and free >= LOW_BYTES:
            continue
        rows.append({"client": lab[inst].client, "host": lab[inst].name, "path": path,
                     "free": round(free / GB, 2), "total": None if not total else round(total / GB, 2),
                     "free_pct": None if not total else round(100.0 * free / total, 1), "at": at,
                     "_cell_class": {"free": "bad" if free < LOW_BYTES else "ok"}})
    return {"columns": [
        {"key": "client", "title": str(_("Client")), "type": "text"},
        {"key": "host", "title": str(_("Host")), "type": "text"},
        {"key": "path", "title": str(_("Partition")), "type": "text"},
        {"key": "free", "title": str(_("Free, GB")), "type": "number"},
        {"key": "total", "title": str(_("Size, GB")), "type": "number"},
        {"key": "free_pct", "title": str(_("Free, %")), "type": "number"},
        {"key": "at", "title": str(_("Measured at")), "type": "datetime"},
    ], "rows": rows}


def low_partitions(ctx) -> dict:
    return _table(ctx, True)


def all_partitions(ctx) -> dict:
    return _table(ctx, False)


def free_space(ctx) -> dict:
    """Free GB per (installation, partition): every sample up to two days, the hour's or day's minimum beyond.
    Beyond MAX_SERIES partitions, those with the least free space in the range are drawn (ranked in the
    database, then only theirs are fetched)."""
    lab = qb.labels(ctx.installations)
    start, end = ctx.tr.start, ctx.tr.end
    qs = DiskFree.objects.filter(installation__in=ctx.installation_ids, observed_at__gte=start, observed_at__lt=end)
    lows = list(qs.values("installation_id", "path").annotate(low=Min("free_bytes"))
                .order_by("low", "installation_id", "path").values_list("installation_id", "path"))
    kept, notice = set(lows[:MAX_SERIES]), None
    if len(lows) > MAX_SERIES:
        notice = str(_("The %(shown)d partitions with the least free space of %(total)d are drawn; narrow the "
                       "filters to see the others.") % {"shown": MAX_SERIES, "total": len(lows)})
        qs = qs.filter(installation__in={inst for inst, _path in kept})
    if end - start <= timedelta(days=2):
        rows = qs.order_by("installation_id", "path", "observed_at").values_list(
            "installation_id", "path", "observed_at", "free_bytes")
    else:
        unit = "hour" if end - start <= timedelta(days=41) else "day"
        rows = (qs.annotate(t=Trunc("observed_at", unit, tzinfo=ctx.tz)).values("installation_id", "path", "t")
                .annotate(v=Min("free_bytes")).order_by("installation_id", "path", "t")
                .values_list("installation_id", "path", "t", "v"))
    named = defaultdict(list)
    for inst, path, t, free in rows.iterator(chunk_size=10000):
        if (inst, path) in kept:
            named[qb.series_name(lab.get(inst), path)].append((t, round(free / GB, 2)))
    bands = [{"from": 0, "to": LOW_BYTES / GB, "color": RED}, {"from": LOW_BYTES / GB, "to": 10 ** 6, "color": GREEN}]
    return chart(series(dict(named), ctx.tz), unit="GB", notice=notice, bands=bands, legend=["min", "last"])


register(Dashboard(
    slug="disk-space", title=_("Disk space"), business=False, default_from="now-7d",
    variables=("client", "host"), group=TECH_GROUP,
    description=_("Free space of the partitions K/TE runs on, from the sysmon metrics the status script uploads."),
    panels=[
        Panel("low", _("Partitions with less than 10 GB free"), "table", low_partitions, width=12, height=260,
              description=_("Partitions of each installation's newest status file with less than 10 GB free.")),
        Panel("free", _("Free space"), "timeseries", free_space, width=12, unit="GB",
              description=_("Free space per partition; red below 10 GB.")),
        Panel("all", _("All partitions"), "table", all_partitions, width=12, height=300),
    ],
))
