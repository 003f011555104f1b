"""Template context every cabinet page gets: the user's zone, navigation and role flags."""
from zoneinfo import ZoneInfo

from django.utils import timezone

from . import scope

DEFAULT_TZ = "Europe/Moscow"


def user_zone(user) -> ZoneInfo:
    pref = getattr(user, "preference", None) if getattr(user, "is_authenticated", False) else None
    try:
        return ZoneInfo(pref.time_zone if pref else DEFAULT_TZ)
    except Exception:  # a zone removed from tzdata: fall back rather than fail every page
        return ZoneInfo(DEFAULT_TZ)


def cabinet(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .dashboards import REGISTRY

    tz = user_zone(user)
    visible = {d.slug: d for d in REGISTRY.values() if d.visible_to(user)}
    pref = getattr(user, "preference", None)
    return {
        "user_tz": tz.key,
        "user_tz_offset": timezone.now().astimezone(tz).strftime("UTC%z"),
        "nav_dashboards": list(visible.values()),
        "nav_starred": [visible[s] for s in (pref.favourites if pref else []) if s in visible],
        "is_operator": scope.is_operator(user),
        "can_manage_registry": scope.can_manage_registry(user),
        "sees_business": scope.sees_business(user),
    }
