"""A URLconf with the runbook pages mounted as smart/urls.py will mount them."""
from django.urls import include, path

urlpatterns = [path("runbooks/", include("smart.alerts.urls"))]
