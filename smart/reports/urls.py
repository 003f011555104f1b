from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("clients/<int:pk>/security-pack.pdf", views.security_pack, name="security-pack"),
]
