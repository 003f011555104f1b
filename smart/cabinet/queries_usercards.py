"""Read-side helpers of the User cards dashboard (B §C): the current accounts' cards and the users ranked by
activity, both narrowed in the database by the dashboard's filters (installations, domains, logins)."""
from datetime import datetime, timedelta

from django.db.models import F, Q, Sum

from smart.metrics.models import KnownUser, UserMonthCounters
from smart.metrics.queries import code_point_order

from .queries_bizinst import ACTIVITY, in_domains, month_floor, sum_of


def current_cards(ids, domains: list[str] | None = None, logins: list[str] | None = None):
    """(installation, login, full name, phone, e-mail, position, department) of the accounts each installation's
    newest report lists (an account last seen before that report was removed since), by login then installation."""
    qs = KnownUser.objects.filter(installation__in=ids).filter(
        Q(installation__state__report_time__isnull=True) | Q(last_seen__gte=F("installation__state__report_time")))
    if domains:
        qs = qs.filter(domain__in=domains)
    if logins:
        qs = qs.filter(login__in=logins)
    return qs.order_by("login", "installation_id").values_list(
        "installation_id", "login", "full_name", "phone", "email", "position", "department")


def matches(text: str, values) -> bool:
    """Whether any of `values` contains `text`, ignoring case (Cyrillic included, unlike SQLite's LIKE)."""
    needle = text.strip().casefold()
    return not needle or any(needle in (v or "").casefold() for v in values)


def top_active_users(ids, start: datetime, end: datetime, tz, limit: int, domains: list[str] | None = None,
                     logins: list[str] | None = None) -> list[tuple[int, str, float]]:
    """The `limit` (installation, login, activity) with the largest positive activity summed over the calendar
    months the range touches in `tz` (each month's month-to-date value), ranked and cut in the database; ties
    by installation, then login."""
    start, last = start.astimezone(tz), (end - timedelta(microseconds=1)).astimezone(tz)
    qs = UserMonthCounters.objects.filter(installation__in=ids, month__gte=month_floor(start.date()),
                                          month__lte=last.date())
    if domains:
        qs = qs.filter(in_domains(domains))
    if logins:
        qs = qs.filter(login__in=logins)
    ranked = (qs.values("installation_id", user=code_point_order("login")).annotate(total=Sum(sum_of(ACTIVITY)))
              .filter(total__gt=0).order_by("-total", "installation_id", "user")
              .values_list("installation_id", "user", "total")[:limit])
    return [(inst, login, float(total)) for inst, login, total in ranked]
