from django.urls import path

from . import views_auth

urlpatterns = [
    path("login/", views_auth.SignInView.as_view(), name="login"),
    path("logout/", views_auth.sign_out, name="logout"),
]
