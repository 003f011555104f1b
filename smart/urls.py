from django.contrib import admin
from django.urls import include, path

from smart.alerts.urls import action_urls
from smart.ingest import views as ingest_views
from smart.reports import views as reports_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("files/<path:name>", ingest_views.file_check, name="ingest-file-check"),
    path("healthz", ingest_views.healthz, name="healthz"),
    path("metrics", reports_views.metrics, name="metrics"),  # a dealer's Prometheus scrape (metrics token)
    path("runbooks/", include("smart.alerts.urls")),
    path("alerts/", include(action_urls)),  # signed acknowledge / snooze links from e-mails
    path("agent/", include("smart.agent.urls")),  # agent bundles (scripts) per installation
    path("reports/", include("smart.reports.urls")),  # documents: the IT-security pack
    path("i18n/", include("django.conf.urls.i18n")),  # the language switch (set_language)
    path("", include("smart.cabinet.urls")),  # the web cabinet: home, dashboards, health cards, registry
]
