"""The dealer's pages: home, health cards (client, installation) and alert actions."""
from django.urls import path

from . import views_alerts, views_health, views_home

urlpatterns = [
    path("", views_home.home, name="home"),
    path("clients/<int:pk>/", views_health.client_card, name="client"),
    path("installations/<int:pk>/", views_health.installation_card, name="installation"),
    path("alerts/<int:pk>/<slug:action>/", views_alerts.alert_action, name="alert-action"),
]
