"""Sign-in with throttling (per username and per address) and sign-out."""
from datetime import timedelta

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
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


class SignInView(LoginView):
    template_name = "cabinet/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


@require_POST
def sign_out(request):
    auth.logout(request)
    return redirect(settings.LOGIN_URL)
