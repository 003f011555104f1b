"""A person's own settings: time zone and language, starred dashboards, the optional second factor (TOTP)."""
import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .audit import record
from .dashboards import REGISTRY
from .models import Preference
from .views_auth import with_language

TOTP_PENDING_KEY = "smart.totp_setup"  # the secret being set up, until a code proves the app has it
TOTP_ISSUER = "SMART"
# Russia's zones first (where the clients are), then the rest of the world.
RUSSIAN_ZONES = ["Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
                 "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok",
                 "Asia/Magadan", "Asia/Kamchatka"]


@lru_cache(maxsize=1)
def zone_choices() -> list[str]:
    rest = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return RUSSIAN_ZONES + [z for z in rest if z not in RUSSIAN_ZONES] + ["UTC"]


def preference(user) -> Preference:
    pref, _created = Preference.objects.get_or_create(user=user)
    return pref


def _safe_next(request, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    return nxt if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) else fallback


@login_required
def preferences(request):
    pref = preference(request.user)
    errors = {}
    if request.method == "POST":
        zone = request.POST.get("time_zone", "")
        lang = request.POST.get("language", "")
        if zone not in zone_choices():
            errors["time_zone"] = _("Choose a time zone from the list.")
        if lang not in dict(settings.LANGUAGES) and lang != "":
            errors["language"] = _("Choose a language from the list.")
        if not errors:
            changes = {k: [getattr(pref, k), v] for k, v in (("time_zone", zone), ("language", lang))
                       if getattr(pref, k) != v}
            pref.time_zone, pref.language = zone, lang
            pref.save(update_fields=["time_zone", "language"])
            if changes:
                record(request, "preferences", obj=pref, object_repr=str(request.user), changes=changes)
            if lang:
                translation.activate(lang)
            messages.success(request, _("Preferences saved."))
            return with_language(redirect("cabinet:preferences"), request.user)
    return render(request, "cabinet/account/preferences.html", {
        "pref": pref, "zones": zone_choices(), "languages": settings.LANGUAGES, "errors": errors,
        "totp_on": bool(pref.totp_secret),
    })


@login_required
@require_POST
def toggle_favourite(request, slug):
    dash = REGISTRY.get(slug)
    if dash is None or not dash.visible_to(request.user):
        raise Http404
    pref = preference(request.user)
    favs = [s for s in (pref.favourites or []) if s != slug]
    if len(favs) == len(pref.favourites or []):
        favs.append(slug)
    pref.favourites = favs
    pref.save(update_fields=["favourites"])
    return redirect(_safe_next(request, f"/d/{slug}/"))


def _totp_uri(secret: str, user) -> str:
    import pyotp

    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


@login_required
def totp(request):
    """Switch the second factor on (a new secret shown as text and an otpauth:// URI, confirmed by one code)
    or off (again with a code, so a stolen session alone cannot remove it)."""
    import pyotp

    pref = preference(request.user)
    error = ""
    if request.method == "POST":
        code = "".join(ch for ch in request.POST.get("code", "") if ch.isdigit())
        action = request.POST.get("action")
        if action == "enable":
            secret = request.session.get(TOTP_PENDING_KEY, "")
            if secret and code and pyotp.TOTP(secret).verify(code, valid_window=1):
                pref.totp_secret = secret
                pref.save(update_fields=["totp_secret"])
                request.session.pop(TOTP_PENDING_KEY, None)
                record(request, "totp_on", obj=pref, object_repr=str(request.user))
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect("cabinet:totp")
            error = _("The code is wrong or has expired.")
        elif action == "disable" and pref.totp_secret:
            if code and pyotp.TOTP(pref.totp_secret).verify(code, valid_window=1):
                pref.totp_secret = ""
                pref.save(update_fields=["totp_secret"])
                record(request, "totp_off", obj=pref, object_repr=str(request.user))
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("cabinet:totp")
            error = _("The code is wrong or has expired.")
    ctx = {"enabled": bool(pref.totp_secret), "error": error}
    if not pref.totp_secret:
        secret = request.session.get(TOTP_PENDING_KEY) or pyotp.random_base32()
        request.session[TOTP_PENDING_KEY] = secret
        ctx.update(secret=secret, uri=_totp_uri(secret, request.user))
    return render(request, "cabinet/account/totp.html", ctx)
