from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "smart.alerts"
    verbose_name = _("Alerts")

    def ready(self):
        from smart.pipeline.signals import report_processed
        from smart.probes.store import results_recorded

        from .engine import on_check_results
        from .facts_hook import on_report_processed

        results_recorded.connect(on_check_results, dispatch_uid="smart.alerts.on_check")
        report_processed.connect(on_report_processed, dispatch_uid="smart.alerts.on_fact")
