"""Dashboard "User cards" (B §C, "Карточки пользователей"): how completely the K/TE user cards are filled in,
and the 20 most active users to reward and to weigh empty searches by."""
from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from smart.metrics.models import KnownUser

from .. import queries_bizinst as qb
from .base import Dashboard, Panel, register

TOP = 20


def cards(ctx) -> dict:
    """C1: one row per account the installation's newest report lists (accounts removed since are left out),
    empty cells where the card lacks a field; unfilled cards marked."""
    lab = qb.labels(ctx.installations)
    qs = KnownUser.objects.filter(installation__in=ctx.installation_ids)
    if d := ctx.values("domain"):
        qs = qs.filter(domain__in=d)
    rows = []
    for r in qs.order_by("login", "installation_id").values("installation_id", "login", "last_seen",
                                                             "installation__state__report_time", *qb.CARD_FIELDS):
        newest = r["installation__state__report_time"]
        if newest is not None and r["last_seen"] < newest:
            continue
        filled = qb.card_filled(r)
        rows.append({"host": lab[r["installation_id"]].name, "name": r["login"],
                     **{f: r[f] for f in qb.CARD_FIELDS}, "manager": lab[r["installation_id"]].manager,
                     "filled": str(_("yes")) if filled else str(_("no")),
                     "_cell_class": {"filled": "ok" if filled else "bad"}})
    total = len(rows)
    filled = sum(1 for r in rows if r["_cell_class"]["filled"] == "ok")
    data = {"columns": [
        {"key": "host", "title": str(_("Host")), "type": "text"},
        {"key": "name", "title": str(_("Login")), "type": "text"},
        {"key": "full_name", "title": str(_("Full name")), "type": "text"},
        {"key": "phone", "title": str(_("Phone")), "type": "text"},
        {"key": "email", "title": str(_("E-mail")), "type": "text"},
        {"key": "position", "title": str(_("Position")), "type": "text"},
        {"key": "department", "title": str(_("Department")), "type": "text"},
        {"key": "manager", "title": str(_("Manager")), "type": "text"},
        {"key": "filled", "title": str(_("Card filled")), "type": "text"},
    ], "rows": rows}
    if total:
        data["notice"] = str(_("%(filled)d of %(total)d cards filled (%(pct).0f %%).")
                             % {"filled": filled, "total": total, "pct": 100.0 * filled / total})
    return data


def top_active(ctx) -> dict:
    """C2: the 20 users with the highest activity in the range: the sum, over the calendar months the range
    touches, of each month's month-to-date activity (the month so far for the current month)."""
    lab = qb.labels(ctx.installations)
    totals = defaultdict(float)
    for inst, login, _month, _t, *values in qb.user_months(ctx.installation_ids, ctx.tr.start, ctx.tr.end,
                                                           ctx.values("domain"), qb.ACTIVITY, ctx.tz):
        totals[(inst, login)] += sum(v or 0 for v in values)
    best = sorted(((v, k) for k, v in totals.items() if v > 0), key=lambda x: (-x[0], x[1]))[:TOP]
    domains = {}
    if best:
        wanted = {login for _v, (_i, login) in best}
        domains = {(i, login): d for i, login, d in KnownUser.objects.filter(
            installation__in=[i for _v, (i, _l) in best], login__in=wanted).values_list("installation_id", "login", "domain")}
    rows = [{"dealer": lab[i].dealer, "domain": domains.get((i, login)) or qb.UNDETERMINED, "host": lab[i].name,
             "manager": lab[i].manager, "name": login, "activity": int(v)} for v, (i, login) in best]
    return {"columns": [
        {"key": "dealer", "title": str(_("Dealer")), "type": "text"},
        {"key": "domain", "title": str(_("Domain")), "type": "text"},
        {"key": "host", "title": str(_("Host")), "type": "text"},
        {"key": "manager", "title": str(_("Manager")), "type": "text"},
        {"key": "name", "title": str(_("Login")), "type": "text"},
        {"key": "activity", "title": str(_("Activity")), "type": "number"},
    ], "rows": rows}


register(Dashboard(
    slug="user-cards", title=_("User cards"), business=True, default_from="now/M",
    variables=("client", "manager", "host", "domain"), group=_("Business analytics"),
    description=_("Filled user cards identify the user in support requests and give the dealer contacts."),
    panels=[
        Panel("cards", _("User cards"), "table", cards, width=12, height=460,
              description=_("Every account of the chosen installations with its card; empty cells are not filled. "
                            "A card is filled when it has full name, phone, e-mail, position and department.")),
        Panel("top20", _("Top-20 most active users"), "table", top_active, width=12, height=420, monthly=True,
              description=_("Activity (the sum of all user actions) over the calendar months of the range.")),
    ],
))
