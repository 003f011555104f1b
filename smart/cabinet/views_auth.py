"""Sign-in with throttling (per username and per address), the optional second factor (TOTP) and sign-out.

A user with a TOTP secret (Preference.totp_secret, set on the account's security page) is not signed in by the
password alone: the session remembers who passed the first step for a few minutes and the code page finishes
the sign-in. Wrong codes count as failed sign-ins, so the same lock applies."""
from datetime import timedelta

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .audit import client_ip
from .models import LoginFailure


def locked(username: str, ip: str | None) -> bool:
    """Too many recent failures for this username, or (four times as many) from this address."""
    recent = LoginFailure.objects.filter(at__gte=timezone.now() - timedelta(seconds=settings.SMART_LOGIN_LOCK_S))
    limit = settings.SMART_LOGIN_MAX_FAILURES
    if recent.filter(username__iexact=username).count() >= limit:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= limit * 4


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed sign-ins. Try again in %(minutes)d minutes."),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request else None
        if locked(username, ip):
            raise ValidationError(self.error_messages["locked"], code="locked",
                                  params={"minutes": max(1, settings.SMART_LOGIN_LOCK_S // 60)})
        try:
            return super().clean()
        except ValidationError:
            LoginFailure.objects.create(username=username[:150], ip=ip)
            raise


PENDING_KEY = "smart.totp_pending"  # {"user": pk, "next": url, "at": epoch}
PENDING_TTL_S = 300
BACKEND = "django.contrib.auth.backends.ModelBackend"


def with_language(response, user):
    """The user's chosen language follows them to every browser they sign in from."""
    pref = getattr(user, "preference", None)
    if pref is not None and pref.language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, pref.language, max_age=365 * 86400, samesite="Lax")
    return response


def _totp_secret(user) -> str:
    pref = getattr(user, "preference", None)
    return pref.totp_secret if pref is not None else ""


class SignInView(LoginView):
    template_name = "cabinet/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if _totp_secret(user):
            self.request.session[PENDING_KEY] = {"user": user.pk, "next": self.get_success_url(),
                                                 "at": timezone.now().timestamp()}
            return redirect("cabinet:login-code")
        return with_language(super().form_valid(form), user)


def _pending_user(request):
    from smart.registry.models import User

    pending = request.session.get(PENDING_KEY)
    if not pending or timezone.now().timestamp() - pending["at"] > PENDING_TTL_S:
        return None, None
    user = User.objects.filter(pk=pending["user"], is_active=True).select_related("preference").first()
    return user, pending.get("next") or settings.LOGIN_REDIRECT_URL


def sign_in_code(request):
    """The second step: a 6-digit code from the user's authenticator app."""
    import pyotp

    user, next_url = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("cabinet:login")
    error = ""
    if request.method == "POST":
        ip = client_ip(request)
        code = "".join(ch for ch in request.POST.get("code", "") if ch.isdigit())
        if locked(user.username, ip):
            error = ThrottledAuthenticationForm.error_messages["locked"] % {
                "minutes": max(1, settings.SMART_LOGIN_LOCK_S // 60)}
        elif code and pyotp.TOTP(_totp_secret(user)).verify(code, valid_window=1):
            request.session.pop(PENDING_KEY, None)
            auth.login(request, user, backend=BACKEND)
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = settings.LOGIN_REDIRECT_URL
            return with_language(redirect(next_url), user)
        else:
            LoginFailure.objects.create(username=user.username[:150], ip=ip)
            error = _("The code is wrong or has expired.")
    return render(request, "cabinet/login_code.html", {"error": error})


@require_POST
def sign_out(request):
    auth.logout(request)
    return redirect(settings.LOGIN_URL)
