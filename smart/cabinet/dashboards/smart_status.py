"""C §4 "SMART.Status": an explorer of the curated .status series (sysmon metrics, every 15 minutes): choose
installations and series, see them; the newest values and the disks beside them."""
from collections import defaultdict
from datetime import timedelta

from django.db.models import Min
from django.db.models.functions import Trunc
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smart.metrics.models import STATUS_SERIES, DiskFree
from smart.metrics.status_series import definitions

from .. import queries_tech as qt
from ._tech import TECH_GROUP, capped_notice, col, link_row, no_data_notice, ordered, series
from .base import Dashboard, Panel, register

DEFAULT_SERIES = "up"
LABELS = {
    "up": gettext_lazy("Server up (1) or unreachable (0)"),
    "main_page": gettext_lazy("Main page broken (1)"),
    "product_control": gettext_lazy("Product set problem (1)"),
    "maintenance": gettext_lazy("Maintenance mode (1)"),
    "need_support": gettext_lazy("Servicing required banner (1)"),
    "seats_used": gettext_lazy("Seats used"),
    "seats_total": gettext_lazy("Seats in the licence"),
    "key_present": gettext_lazy("Protection key present (1)"),
    "licman_up": gettext_lazy("Licence manager up (1)"),
    "spp_up": gettext_lazy("SPP support service up (1)"),
    "login_denied_total": gettext_lazy("Sign-ins refused (total)"),
    "login_denied_no_seats_total": gettext_lazy("Sign-ins refused for lack of seats (total)"),
    "searches_total": gettext_lazy("Searches (total)"),
    "searches_empty_total": gettext_lazy("Empty searches (total)"),
    "db_errors": gettext_lazy("DB errors"),
    "volumes": gettext_lazy("DB volumes"),
    "operup_age_seconds": gettext_lazy("Age of the newest operup file, s"),
    "start_time_seconds": gettext_lazy("Server start time (Unix time)"),
    "licence_expiry_seconds": gettext_lazy("Licence expiry (Unix time)"),
}
SHORT = {  # column titles of the newest-status table
    "up": gettext_lazy("Up"), "main_page": gettext_lazy("Main page broken"), "maintenance": gettext_lazy("Maintenance"),
    "need_support": gettext_lazy("Servicing banner"), "seats_used": gettext_lazy("Seats used"),
    "seats_total": gettext_lazy("Seats"), "key_present": gettext_lazy("Key"), "licman_up": gettext_lazy("Licence manager"),
    "db_errors": gettext_lazy("DB errors"),
}
LATEST_COLUMNS = ("up", "main_page", "maintenance", "need_support", "seats_used", "seats_total", "key_present",
                  "licman_up", "db_errors")
GB = 1024 ** 3


def sparse(points) -> str:
    """Lines, with markers when there are few points (a single reading must still show)."""
    return "lines+markers" if len(points) < 60 else "lines"


def series_options() -> list[tuple[str, str]]:
    """The options of the `series` variable: every curated series, with its metric name."""
    spec = definitions()["series"]
    return [(name, f"{LABELS.get(name, name)} — {spec[name]['metric']}") for name in STATUS_SERIES]


def chosen_series(ctx) -> list[str]:
    return [s for s in ctx.values("series") if s in STATUS_SERIES] or [DEFAULT_SERIES]


def explore(ctx) -> dict:
    spec = definitions()["series"]
    names = chosen_series(ctx)
    ids, total = qt.status_installations(ctx.installations.values("pk"), ctx.range,
                                         max(1, qt.MAX_SERIES // len(names)))
    found = {name: qt.status_explore(ids, ctx.range, name, spec[name]["agg"], ctx.tz) for name in names}
    info = qt.installation_info({i for per in found.values() for i in per})
    items = []
    for name, per in found.items():
        for inst, points in per.items():
            if inst in info:
                label = f"{name} {info[inst]['name']}" if len(names) > 1 else info[inst]["name"]
                items.append(series(label, points, mode=sparse(points)))
    # the gauges that are healthy at 1 put the failing ones first, the others the highest first
    items = ordered(items, descending=not all(spec[n]["agg"] == "min" for n in names))
    data = {"series": items, "unit": ", ".join(str(LABELS.get(n, n)) for n in names)}
    if notice := capped_notice(len(ids) * len(names), total * len(names)):
        data["notice"] = notice
    return no_data_notice(data)


def disks(ctx) -> dict:
    step = qt.auto_step(ctx.range, steps=[timedelta(minutes=15), *qt.ALIGNED[1:]])
    pairs, total = qt.disk_pairs(ctx.installations.values("pk"), ctx.range)
    wanted = set(pairs)
    rows = (DiskFree.objects.filter(installation__in={i for i, _p in pairs}, path__in={p for _i, p in pairs},
                                    observed_at__gte=ctx.range.start, observed_at__lte=ctx.range.end)
            .annotate(t=Trunc("observed_at", qt.trunc_unit(step), tzinfo=ctx.tz))
            .values("installation_id", "path", "t").annotate(v=Min("free_bytes"))
            .values_list("installation_id", "path", "t", "v"))
    raw = defaultdict(list)
    for inst, path, t, v in rows:
        if (inst, path) in wanted:
            raw[(inst, path)].append((t, round(v / GB, 2)))
    info = qt.installation_info({i for i, _p in raw})
    items = []
    for (i, path), points in raw.items():
        if i in info:
            points = qt.rebucket(points, step, ctx.tz, min)
            items.append(series(f"{info[i]['name']} {path}", points, mode=sparse(points)))
    items = ordered(items, descending=False)  # the fullest disks first
    data = {"series": items, "unit": _("GB free"), "bands": [{"from": 0, "to": 10, "color": "#c62828"}]}
    if notice := capped_notice(len(pairs), total):
        data["notice"] = notice
    return no_data_notice(data)


def latest(ctx) -> dict:
    ids = ctx.installations.values("pk")
    rows = qt.status_latest(ids)
    counts = qt.sample_counts(ids, ctx.range)
    info = qt.installation_info({r["installation_id"] for r in rows})
    out = []
    for r in rows:
        i = info.get(r["installation_id"])
        if i is None:
            continue
        values = r["status_values"] or {}
        row = {"client": i["client"], "host": i["name"], "observed_at": r["status_observed_at"],
               "received_at": r["status_received_at"], "samples": counts.get(r["installation_id"], 0),
               "version": values.get("version", ""), "http_status": values.get("http_status")}
        row.update({k: values.get(k) for k in LATEST_COLUMNS})
        bad = {k: "bad" for k in ("up", "key_present", "licman_up") if values.get(k) == 0}
        bad.update({k: "bad" for k in ("main_page", "maintenance", "need_support") if values.get(k)})
        if bad:
            row["_cell_class"] = bad
        out.append(link_row(row, r["installation_id"], "host"))
    out.sort(key=lambda r: (r["client"], r["host"]))
    columns = [col("client", _("Client")), col("host", _("Host")),
               col("observed_at", _("Measured at"), "datetime"), col("received_at", _("Received at"), "datetime"),
               col("samples", _("Samples in range"), "number"), col("version", _("Version")),
               col("http_status", _("HTTP status of /sysmon"), "number")]
    columns += [col(k, SHORT[k], "number") for k in LATEST_COLUMNS]
    return no_data_notice({"columns": columns, "rows": out})


register(Dashboard(
    slug="smart-status",
    title=gettext_lazy("SMART.Status"),
    description=gettext_lazy("The sysmon metrics of the installations (status files every 15 minutes); "
                             "experimental"),
    group=TECH_GROUP,
    variables=("client", "host", "series"),
    default_from="now-24h",
    panels=[
        Panel("series", gettext_lazy("Status series"), "timeseries", explore, width=12, height=380,
              description=gettext_lazy(
                  "The chosen series (Series filter; server up by default) of each chosen installation, from the "
                  "status files its smartstatus script uploads or SMART pulls from /sysmon. Points are the "
                  "worst value of up/down gauges and the highest of the others in each interval.")),
        Panel("disks", gettext_lazy("Free disk space"), "timeseries", disks, width=12, height=320,
              description=gettext_lazy("Free space of each partition the sysmon metrics report; "
                                       "the red band is below 10 GB.")),
        Panel("latest", gettext_lazy("Newest status of each installation"), "table", latest, width=12, height=420,
              description=gettext_lazy("The values of the newest status file of each installation.")),
    ],
))
