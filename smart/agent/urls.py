from django.urls import path

from . import views

app_name = "agent"
urlpatterns = [path("<int:pk>/bundle.zip", views.download, name="bundle")]
