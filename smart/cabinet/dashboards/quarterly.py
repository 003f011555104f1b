"""Dashboard "Quarterly analytics" (00-product.md): the prolongation table's monthly metrics summed per
calendar quarter (the installations' calendars), per client and per manager, with the change against the
previous quarter by the same rule as month over month: (current − previous) / previous × 100, ∞, "No data".

The quarters shown are those the range touches, always whole; the current quarter is marked as to date.
A client's manager is its installations' manager, else the client's managers (as the manager filter reads it)."""
from collections import defaultdict
from datetime import date, datetime

from django.utils.translation import gettext as _, gettext_lazy as __

from smart.registry.models import Client, Role, User

from .. import queries_bizonline as q
from .base import Dashboard, Panel, register

METRICS = (
    ("documents", __("Documents requested")),
    ("saves", __("Saved")),
    ("prints", __("Printed")),
    ("refusals_no_seats", __("Rejected: no free licences")),
    ("activity", __("User activity")),
    ("empty_searches", __("Empty searches")),
)


def quarters_of(ctx) -> list[tuple[int, int]]:
    start, end = ctx.tr.start.astimezone(ctx.tz).date(), ctx.tr.end.astimezone(ctx.tz).date()
    first, last = q.quarter_of(start), q.quarter_of(end)
    out, cur = [], first
    while cur <= last:
        out.append(cur)
        cur = (cur[0] + 1, 1) if cur[1] == 4 else (cur[0], cur[1] + 1)
    return out


def quarter_label(yq: tuple[int, int], now_q: tuple[int, int]) -> str:
    label = f"{yq[0]} Q{yq[1]}"
    return label + " " + _("(to date)") if yq == now_q else label


def _quarter_data(ctx):
    """quarters, {client: {quarter: metrics}}, {manager: {quarter: metrics}}, {manager: {quarter: client ids}},
    {client: name}, {manager: name}, {installation: client}, {installation: its managers}."""
    quarters = quarters_of(ctx)
    first = q.quarter_start(*q.prev_quarter(*quarters[0]))
    last_q = quarters[-1]
    last = q.month_add(q.quarter_start(*last_q), 3)
    insts = list(ctx.installations.values_list("pk", "client_id", "manager_id"))
    totals = q.monthly_totals([i[0] for i in insts], first, date.fromordinal(last.toordinal() - 1), by_installation=True)
    client_of = {pk: c for pk, c, _m in insts}
    client_ids = {c for _p, c, _m in insts}
    client_mgrs = defaultdict(set)
    for c, u in Client.managers.through.objects.filter(client_id__in=client_ids).values_list("client_id", "user_id"):
        client_mgrs[c].add(u)
    mgrs_of = {pk: ({m} if m else client_mgrs.get(c, set())) for pk, c, m in insts}
    if m := set(ctx.ints("manager")):  # the manager filter: only the chosen managers' rows
        mgrs_of = {pk: ms & m for pk, ms in mgrs_of.items()}
    if ctx.user.role == Role.MANAGER:  # a manager's per-manager figures are their own
        mgrs_of = {pk: ms & {ctx.user.pk} for pk, ms in mgrs_of.items()}
    by_client = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    by_manager = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    manager_clients = defaultdict(lambda: defaultdict(set))
    for (inst, month), values in totals.items():
        quarter = q.quarter_of(month)
        metrics = {**{k: values.get(k, 0) for k, _l in METRICS if k in values}, **q.derived(values)}
        cell = by_client[client_of[inst]][quarter]
        for k, v in metrics.items():
            cell[k] += v
        for mgr in mgrs_of[inst]:
            cell_m = by_manager[mgr][quarter]
            for k, v in metrics.items():
                cell_m[k] += v
            manager_clients[mgr][quarter].add(client_of[inst])
    clients = dict(Client.objects.filter(pk__in=client_ids).values_list("pk", "display_name"))
    managers = {u.pk: str(u) for u in User.objects.filter(pk__in={m for ms in mgrs_of.values() for m in ms})}
    return quarters, by_client, by_manager, manager_clients, clients, managers, client_of, mgrs_of


def _metric_columns() -> list[dict]:
    cols = []
    for key, label in METRICS:
        cols.append({"key": key, "title": str(label), "type": "number"})
        if key != "empty_searches":
            cols.append({"key": f"{key}_chg", "title": _("%(metric)s, %% change") % {"metric": label}, "type": "number"})
    return cols


def _fill(row: dict, cur: dict | None, prev: dict | None) -> None:
    no_data = _("No data")
    row.setdefault("_cell_class", {})
    for key, _label in METRICS:
        value = cur.get(key, 0) if cur is not None else None
        row[key] = no_data if value is None else value
        if key == "empty_searches":
            continue
        pct = q.change_pct(value, prev.get(key, 0) if prev is not None else None)
        row[f"{key}_chg"] = no_data if pct is None else pct
        if isinstance(pct, float) and pct:
            row["_cell_class"][f"{key}_chg"] = "ok" if pct > 0 else "bad"


def now_quarter(ctx):
    return q.quarter_of(ctx.now.astimezone(ctx.tz).date())


def per_client(ctx):
    quarters, by_client, _bm, _mc, clients, managers, client_of, mgrs_of = _quarter_data(ctx)
    names = defaultdict(set)  # a client's managers: those of its installations
    for inst, ms in mgrs_of.items():
        names[client_of[inst]].update(managers[m] for m in ms)
    client_manager_names = {c: ", ".join(sorted(n)) for c, n in names.items()}
    out = []
    nq = now_quarter(ctx)
    for client_id, name in sorted(clients.items(), key=lambda kv: kv[1]):
        data = by_client.get(client_id, {})
        for yq in quarters:
            row = {"client": name, "manager": client_manager_names.get(client_id, ""), "quarter": quarter_label(yq, nq)}
            _fill(row, data.get(yq), data.get(q.prev_quarter(*yq)))
            out.append(row)
    columns = [{"key": "client", "title": _("Client"), "type": "text"},
               {"key": "manager", "title": _("Manager"), "type": "text"},
               {"key": "quarter", "title": _("Quarter"), "type": "text"}] + _metric_columns()
    return {"columns": columns, "rows": out}


def per_manager(ctx):
    quarters, _bc, by_manager, manager_clients, _c, managers, _cm, _mo = _quarter_data(ctx)
    out = []
    nq = now_quarter(ctx)
    for mgr, name in sorted(managers.items(), key=lambda kv: kv[1]):
        data = by_manager.get(mgr, {})
        for yq in quarters:
            row = {"manager": name, "quarter": quarter_label(yq, nq), "clients": len(manager_clients[mgr].get(yq, ()))}
            _fill(row, data.get(yq), data.get(q.prev_quarter(*yq)))
            out.append(row)
    columns = [{"key": "manager", "title": _("Manager"), "type": "text"},
               {"key": "quarter", "title": _("Quarter"), "type": "text"},
               {"key": "clients", "title": _("Clients with data"), "type": "number"}] + _metric_columns()
    return {"columns": columns, "rows": out}


def bars(metric: str):
    def query(ctx):
        quarters, _bc, by_manager, _mc, _c, managers, _cm, _mo = _quarter_data(ctx)
        xs = [datetime(y, 3 * (n - 1) + 1, 1, tzinfo=ctx.tz) for y, n in quarters]
        series = [{"name": name, "x": xs, "y": [by_manager.get(m, {}).get(yq, {}).get(metric) for yq in quarters]}
                  for m, name in sorted(managers.items(), key=lambda kv: kv[1])]
        return {"series": series, "unit": ""}
    return query


register(Dashboard(
    slug="quarterly",
    title=__("Quarterly analytics"),
    group=__("Business analytics"),
    business=True,
    variables=("manager", "client"),
    default_from="now-1y",
    description=__("The prolongation metrics per calendar quarter, per client and per manager, with the change "
                   "against the previous quarter."),
    panels=[
        Panel("documents", __("Documents requested per quarter, by manager"), "bars", bars("documents"), width=6),
        Panel("activity", __("User activity per quarter, by manager"), "bars", bars("activity"), width=6),
        Panel("managers", __("Quarterly analytics by manager"), "table", per_manager, width=12, height=300),
        Panel("clients", __("Quarterly analytics by client"), "table", per_client, width=12, height=420,
              description=__("Whole quarters in the installations' calendars; change = (current − previous) / "
                             "previous × 100, ∞ after an empty quarter, \"No data\" without reports.")),
    ],
))
