"""Where the downloads are offered: the health card (agent bundle, batch upload, IT-security pack,
prolongation report, search export) and the home page (a manager's month-end portfolio report).

The documents themselves live in `smart.reports` and `smart.agent`; this module only decides who is offered
which link (the same roles the download views admit) and fills in the defaults (this year, last month,
the last 30 / 90 days in the user's time zone)."""
from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from smart.registry.models import Role, User

from . import scope
from .context import user_zone

SEARCH_PERIODS = (30, 90)


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def installation_documents(user, inst) -> dict:
    """The agent bundle (POST, it issues a token) and the batch upload page: installers only."""
    if not scope.can_manage_installations(user):
        return {}
    return {"bundle_url": reverse("agent:bundle", args=[inst.pk]),
            "upload_url": reverse("cabinet:batch-upload", args=[inst.pk]),
            "os_choices": (("windows", "Windows"), ("linux", "Linux"))}


def client_documents(user, client, now) -> dict:
    """The IT-security pack for everyone who sees the client; prolongation and searches for business roles."""
    today = now.astimezone(user_zone(user)).date()
    docs = {"security_pack_url": reverse("reports:security-pack", args=[client.pk]), "business": False}
    if not scope.sees_business(user):
        return docs
    searches = reverse("reports:searches", args=[client.pk])
    exports = []
    for days in SEARCH_PERIODS:
        start = (today - timedelta(days=days)).isoformat()
        end = (today + timedelta(days=1)).isoformat()
        exports.append({"days": days, "all": f"{searches}?from={start}&to={end}",
                        "empty": f"{searches}?from={start}&to={end}&empty=1"})
    docs.update({"business": True, "year": today.year, "years": list(range(today.year, today.year - 4, -1)),
                 "prolongation_xlsx": reverse("reports:prolongation", args=[client.pk, "xlsx"]),
                 "prolongation_pdf": reverse("reports:prolongation", args=[client.pk, "pdf"]),
                 "searches": exports})
    return docs


def portfolio_managers(user):
    """The managers whose portfolio report `user` may download (the rule of reports.views.portfolio_document)."""
    if not scope.sees_business(user):
        return User.objects.none()
    if user.role == Role.MANAGER:
        return User.objects.filter(pk=user.pk)
    qs = User.objects.filter(dealer__in=scope.dealers(user), role=Role.MANAGER, is_active=True)
    if user.role == Role.HEAD and user.branch_id:
        qs = qs.filter(branch_id=user.branch_id)
    return qs.order_by("full_name", "username")


def portfolio_links(user, now) -> dict | None:
    """Home page: "my month-end portfolio" (previous month) and, for heads and admins, their managers'."""
    if not scope.sees_business(user) or scope.is_operator(user):
        return None
    month = previous_month(now.astimezone(user_zone(user)).date()).strftime("%Y-%m")
    own = (reverse("reports:portfolio", args=[user.pk]) + f"?month={month}"
           if user.role in (Role.MANAGER, Role.HEAD, Role.DEALER_ADMIN) else None)
    others = [{"name": m.full_name or m.username, "url": reverse("reports:portfolio", args=[m.pk]) + f"?month={month}"}
              for m in portfolio_managers(user).exclude(pk=user.pk)] if user.role != Role.MANAGER else []
    return {"month": month, "own": own, "others": others, "title": _("Month-end portfolio report")}
