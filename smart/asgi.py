"""ASGI entry point: the streaming ingest endpoints in front of Django."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smart.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_app = get_asgi_application()

from smart.ingest.asgi import IngestRouter  # noqa: E402

application = IngestRouter(django_app)
