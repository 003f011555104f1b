"""C §6 "Server availability" and C §7 "Server availability. Online": the share of successful checks in
the 30 days ending at each point (rolling window), per installation, per online access and per online host."""
from dataclasses import replace
from datetime import timedelta

from django.utils.translation import gettext_lazy

from smart.probes.queries import rolling_availability

from .. import queries_tech as qt
from ._tech import AVAILABILITY_GROUP, capped_notice, no_data_notice, ordered, series
from .base import Dashboard, Panel, register

# C §6: 100 % is never reached (scheduled restarts and updates); above 95–99 % is normal.
# Below 95 % is left unshaded: a line under the yellow band is off the norm (a red wash over most of a 0–100
# axis hides more than it shows).
INSTALLATION_BANDS = [{"from": 95, "to": 99, "color": "#f9a825"}, {"from": 99, "to": 100, "color": "#1a7f37"}]
# C §7: the norm is 100 %; any deviation is investigated, the larger the sooner: only 100 % is green.
ONLINE_BANDS = [{"from": 99.99, "to": 100, "color": "#1a7f37"}, {"from": 99, "to": 99.99, "color": "#f9a825"}]


def step_for(rng) -> timedelta:
    """Hourly points (the resolution of the run counts) while that keeps a series under MAX_POINTS (about 41
    days); daily points (UTC midnights, from the daily table) beyond: a 30-day share moves little within a day, and the
    database then sums whole days instead of returning every hour."""
    return qt.auto_step(rng, minimum=timedelta(hours=1), steps=qt.ALIGNED)


def _installation_panel(check: str):
    def query(ctx) -> dict:
        ids, total = qt.worst_availability(check, ctx.range, installations=ctx.installations.values("pk"))
        found = rolling_availability(check, ctx.range, installations=ids, step=step_for(ctx.range), tz=ctx.tz)
        info = qt.installation_info(ids)
        items = [series(info[i]["name"], found.get(i, [])) for i in ids if i in info]
        data = {"series": ordered(items, descending=True), "unit": "%", "bands": INSTALLATION_BANDS}
        if notice := capped_notice(len(ids), total):
            data["notice"] = notice
        return no_data_notice(data)
    return query


def client_billing(ctx) -> dict:
    accesses = ctx.online_accesses
    ids, total = qt.worst_availability("billing", ctx.range, online_accesses=accesses.values("pk"))
    found = rolling_availability("billing", ctx.range, online_accesses=ids, step=step_for(ctx.range), tz=ctx.tz)
    names = {pk: f"{firm} ({login}@{host})" for pk, firm, login, host in
             accesses.filter(pk__in=ids).values_list("pk", "firm", "login", "host")}
    items = [series(names[i], found.get(i, [])) for i in ids if i in names]
    data = {"series": ordered(items, descending=True), "unit": "%", "bands": ONLINE_BANDS}
    if notice := capped_notice(len(ids), total):
        data["notice"] = notice
    return no_data_notice(data)


def by_server(ctx) -> dict:
    # C §7: the client filter applies only to 7.1 and the server filter only to 7.2 (still within the
    # user's scope: the variables narrow what the user may see, never widen it).
    wide = replace(ctx, vars={k: v for k, v in ctx.vars.items() if k != "client"})
    accesses = wide.online_accesses
    if hosts := ctx.values("server"):
        accesses = accesses.filter(host__in=hosts)
    found = rolling_availability("billing", ctx.range, online_accesses=accesses.values("pk"), by="host",
                                 step=step_for(ctx.range), tz=ctx.tz)
    items = [series(host, points) for host, points in found.items()]
    items = ordered(items, descending=False)  # Last*, ascending: the worst host first
    shown, total = qt.cap(items)
    data = {"series": shown, "unit": "%", "bands": ONLINE_BANDS}
    if notice := capped_notice(len(shown), total):
        data["notice"] = notice
    return no_data_notice(data)


register(Dashboard(
    slug="availability",
    title=gettext_lazy("Server availability"),
    description=gettext_lazy("How steadily the installations answer: availability over a rolling 30 days"),
    group=AVAILABILITY_GROUP,
    variables=("client", "manager"),
    default_from="now-30d",
    panels=[
        Panel("interface", gettext_lazy("Software interface availability in % over the last 30 days"), "timeseries",
              _installation_panel("http200"), width=12, height=380, unit="%",
              description=gettext_lazy(
                  "At each point: successful checks of the web interface (HTTP 200 from the main page) in the 30 "
                  "days ending there ÷ all checks × 100. 100 % is never reached because of scheduled restarts "
                  "and updates; above 95–99 % is normal, any dip is abnormal.")),
        Panel("port", gettext_lazy("Open port availability in % over the last 30 days"), "timeseries",
              _installation_panel("tcp"), width=12, height=380, unit="%",
              description=gettext_lazy(
                  "The same rolling 30-day share for the TCP port of the software (the port monitor listens).")),
    ],
))

register(Dashboard(
    slug="availability-online",
    title=gettext_lazy("Server availability. Online"),
    description=gettext_lazy("Availability of the clients' online accesses and of the vendor's servers"),
    group=AVAILABILITY_GROUP,
    variables=("client", "server"),
    default_from="now-24h",
    panels=[
        Panel("client-billing", gettext_lazy("Client billing availability over 30 days"), "timeseries",
              client_billing, width=12, height=380, unit="%",
              description=gettext_lazy(
                  "Per online access: successful reads of the billing counters (sign-in with the client's login "
                  "and the profile page) in the 30 days ending at each point. The norm is 100 %: investigate "
                  "any deviation, the larger first. The Client filter applies to this panel only.")),
        Panel("by-server", gettext_lazy("Billing availability by server"), "timeseries", by_server, width=12,
              height=380, unit="%",
              description=gettext_lazy(
                  "The same rolling 30-day availability over all accesses on each vendor server, worst first. "
                  "The Server filter applies to this panel only.")),
    ],
))
