from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CabinetConfig(AppConfig):
    name = "smart.cabinet"
    label = "cabinet"
    verbose_name = _("Cabinet")

    def ready(self):
        from . import dashboards  # noqa: F401  (registers every dashboard module)
