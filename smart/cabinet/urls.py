"""Cabinet URLs. Each area has its own module so that it can grow without touching the others:
sign-in and account (`urls_account`), the dealer's pages (`urls_pages`: home, health card, emergencies),
the registry UI (`urls_registry`) and the dashboard framework below."""
from django.urls import include, path, register_converter

from . import views_batch, views_dash



class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "fmt")
app_name = "cabinet"

urlpatterns = [
    path("", include("smart.cabinet.urls_account")),
    path("", include("smart.cabinet.urls_pages")),
    path("registry/", include("smart.cabinet.urls_registry")),
    path("installations/<int:pk>/upload/", views_batch.batch_upload, name="batch-upload"),
    path("d/", views_dash.dashboard_list, name="dashboards"),
    path("d/<slug:slug>/", views_dash.dashboard_page, name="dashboard"),
    path("d/<slug:slug>/variables.json", views_dash.variable_options, name="dashboard-variables"),
    path("d/<slug:slug>/panel/<slug:key>.json", views_dash.panel_data, name="panel-data"),
    path("d/<slug:slug>/panel/<slug:key>.<fmt:fmt>", views_dash.panel_export, name="panel-export"),
]
