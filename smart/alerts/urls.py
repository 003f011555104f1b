"""Alert pages. `urlpatterns` (runbooks) is mounted at /runbooks/; `action_urls` (the signed e-mail
links, namespace "alerts") at /alerts/:

    path("runbooks/", include("smart.alerts.urls")),
    path("alerts/", include(action_urls)),
"""
from django.urls import path

from . import views

urlpatterns = [
    path("<str:name>", views.runbook, name="alerts-runbook"),
]

action_urls = ([path("act/<str:token>", views.act, name="ack-link")], "alerts")
