import json

from django.core.management.base import BaseCommand

from smart.metrics import retention


class Command(BaseCommand):
    help = "Delete facts older than SMART_RETENTION_MONTHS and raw reports older than SMART_ARCHIVE_RETENTION_DAYS."

    def handle(self, *args, **opts):
        self.stdout.write(json.dumps(retention.run()))
