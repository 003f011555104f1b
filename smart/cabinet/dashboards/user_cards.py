"""Dashboard "User cards" (B §C, "Карточки пользователей"): how completely the K/TE user cards are filled in,
and the 20 most active users to reward and to weigh empty searches by."""
from django.utils.translation import gettext_lazy as _

from smart.metrics.models import KnownUser

from .. import queries_bizinst as qb
from .. import queries_usercards as qu
from .base import Dashboard, Panel, register

TOP = 20


def cards(ctx) -> dict:
    """C1: one row per account the installation's newest report lists (accounts removed since are left out),
    empty cells where the card lacks a field; unfilled cards marked. The search keeps the cards whose login or
    any field contains the text."""
    where = {pk: (label.name, label.manager) for pk, label in qb.labels(ctx.installations).items()}
    yes, no = str(_("yes")), str(_("no"))
    texts = ctx.values("card_search")
    rows = []
    for inst, login, full_name, phone, email, position, department in qu.current_cards(
            ctx.installation_ids, ctx.values("domain"), ctx.values("user")):
        if texts and not all(qu.matches(t, (login, full_name, phone, email, position, department)) for t in texts):
            continue
        filled = qb.cells_filled((full_name, phone, email, position, department))
        host, manager = where[inst]
        rows.append({"host": host, "name": login, "full_name": full_name, "phone": phone, "email": email,
                     "position": position, "department": department, "manager": manager,
                     "filled": yes if filled else no, "_cell_class": {"filled": "ok" if filled else "bad"}})
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
    best = qu.top_active_users(ctx.installation_ids, ctx.tr.start, ctx.tr.end, ctx.tz, TOP, ctx.values("domain"),
                               ctx.values("user"))
    lab, domains = {}, {}
    if best:
        insts = {i for i, _l, _v in best}
        lab = qb.labels(ctx.installations.filter(pk__in=insts))
        domains = {(i, login): d for i, login, d in KnownUser.objects.filter(
            installation__in=insts, login__in={login for _i, login, _v in best}).values_list(
            "installation_id", "login", "domain")}
    rows = [{"dealer": lab[i].dealer, "domain": domains.get((i, login)) or qb.UNDETERMINED, "host": lab[i].name,
             "manager": lab[i].manager, "name": login, "activity": int(v)} for i, login, v in best]
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
    variables=("client", "manager", "host", "domain", "user", "card_search"), group=_("Business analytics"),
    description=_("Filled user cards identify the user in support requests and give the dealer contacts."),
    panels=[
        Panel("cards", _("User cards"), "table", cards, width=12, height=460,
              description=_("Every account of the chosen installations with its card; empty cells are not filled. "
                            "A card is filled when it has full name, phone, e-mail, position and department. "
                            "The card search keeps the cards whose login, name, phone, e-mail, position or "
                            "department contains the text.")),
        Panel("top20", _("Top-20 most active users"), "table", top_active, width=12, height=420, monthly=True,
              description=_("Activity (the sum of all user actions) over the calendar months of the range.")),
    ],
))
