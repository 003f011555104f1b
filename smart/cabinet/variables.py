"""Dashboard variables (A §1.2): options under the user's scope and the other choices, multi-select, "All" by
default, kept in the URL as `var-<name>=<value>` (repeatable) so a view is a shareable link."""
from dataclasses import replace

from django.utils.translation import gettext_lazy as _

from smart.registry.models import Branch, Role, User

from . import scope

LABELS = {
    "dealer": _("Dealer"), "branch": _("Branch"), "manager": _("Manager"), "client": _("Client"),
    "host": _("Host"), "domain": _("Domain"), "checktype": _("Check type"), "login": _("Login"),
    "user": _("User"), "search_source": _("Query source"),
    "search_status": _("Search status"), "search_type": _("Search type"), "search_catalog": _("Catalog"),
    "search_threshold": _("Search time threshold"), "card_search": _("Card search"),
    "server": _("Server"), "series": _("Series"), "alert": _("Emergency type"), "priority": _("Priority"),
}
MAX_OPTIONS = 2000
TEXT = {"card_search"}  # free-text filters: a search box instead of a list of options


def _without(ctx, name):
    return replace(ctx, vars={k: v for k, v in ctx.vars.items() if k != name})


def _options(name, ctx) -> list[tuple[str, str]]:
    user = ctx.user
    if name == "dealer":
        return [(str(d.pk), d.display_name or d.name) for d in scope.dealers(user).order_by("name")]
    if name == "branch":
        qs = Branch.objects.filter(dealer__in=scope.dealers(user))
        if user.role == Role.HEAD and user.branch_id:
            qs = qs.filter(pk=user.branch_id)
        return [(str(b.pk), b.name) for b in qs.order_by("name")]
    if name == "manager":
        if user.role == Role.MANAGER and not scope.is_operator(user):
            return [(str(user.pk), str(user))]
        qs = User.objects.filter(dealer__in=scope.dealers(user), is_active=True,
                                 role__in=(Role.MANAGER, Role.HEAD, Role.DEALER_ADMIN))
        if d := ctx.ints("dealer"):
            qs = qs.filter(dealer_id__in=d)
        return [(str(u.pk), str(u)) for u in qs.order_by("full_name", "username")]
    if name == "client":
        return [(str(pk), name) for pk, name in
                _without(ctx, "client").clients.order_by("display_name").values_list("pk", "display_name")]
    if name == "host":
        qs = (_without(ctx, "host").installations.order_by("client__display_name", "name")
              .values_list("pk", "client__display_name", "name"))
        return [(str(pk), f"{client}: {name}" if client != name else name) for pk, client, name in qs[:MAX_OPTIONS]]
    if name == "domain":
        from smart.metrics.models import KnownUser

        qs = (KnownUser.objects.filter(installation__in=ctx.installations.values("pk")).exclude(domain="")
              .values_list("domain", flat=True).distinct().order_by("domain"))
        return [(d, d) for d in qs[:MAX_OPTIONS]]
    if name == "checktype":
        from smart.probes.models import Check

        return [(value, str(label)) for value, label in Check.choices]
    if name == "login":
        qs = ctx.online_accesses.order_by("firm", "login")
        return [(str(o.pk), f"{o.firm}: {o.login}") for o in qs[:MAX_OPTIONS]]
    if name in TEXT:
        return []
    if name == "user":  # the installations' user accounts (B §G "Пользователь", B §C)
        from smart.metrics.models import KnownUser

        qs = (KnownUser.objects.filter(installation__in=ctx.installations.values("pk"))
              .values_list("login", flat=True).distinct().order_by("login"))
        return [(u, u) for u in qs[:MAX_OPTIONS]]
    if name == "server":  # the vendor hosts of the online accesses (C §7.2)
        qs = _without(ctx, "client").online_accesses.values_list("host", flat=True).distinct().order_by("host")
        return [(h, h) for h in qs[:MAX_OPTIONS]]
    if name == "series":  # the curated .status series (C §4)
        from .dashboards.smart_status import series_options

        return series_options()
    if name == "alert":  # every alert SMART defines (C §3 "Тип аварии")
        from smart.alerts.catalogue import load

        return [(n, n) for n in sorted(load())]
    if name == "priority":  # P-levels (D §1.2) and the legacy K-levels kept for filters
        return [(p, p) for p in ("P1", "P2", "P3", "P4", "K1", "K2", "K3", "K4", "K5")]
    if name.startswith("search_"):  # the search dashboards' filters (B §H, C §10)
        from .queries_bizonline import search_variable_options

        return search_variable_options(name, ctx)
    raise ValueError(f"unknown variable {name}")


def options_for(names, ctx) -> list[dict]:
    result = []
    for name in names:
        if name in ("dealer",) and not scope.is_operator(ctx.user):
            continue  # a dealer's people see one dealer: no selector
        result.append({"name": name, "label": str(LABELS[name]), "selected": ctx.values(name),
                       "kind": "text" if name in TEXT else "options",
                       "options": [{"value": v, "label": label} for v, label in _options(name, ctx)]})
    return result
