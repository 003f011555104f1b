"""Sign-in, sign-out and a person's own settings."""
from django.urls import path

from . import views_account, views_auth

urlpatterns = [
    path("login/", views_auth.SignInView.as_view(), name="login"),
    path("login/code/", views_auth.sign_in_code, name="login-code"),
    path("logout/", views_auth.sign_out, name="logout"),
    path("account/", views_account.preferences, name="preferences"),
    path("account/totp/", views_account.totp, name="totp"),
    path("account/starred/<slug:slug>/", views_account.toggle_favourite, name="favourite"),
]
