from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("clients/<int:pk>/security-pack.pdf", views.security_pack, name="security-pack"),
    path("clients/<int:pk>/prolongation.<str:fmt>", views.prolongation_document, name="prolongation"),
    path("clients/<int:pk>/searches.xlsx", views.searches_document, name="searches"),
    path("managers/<int:pk>/portfolio.xlsx", views.portfolio_document, name="portfolio"),
]
