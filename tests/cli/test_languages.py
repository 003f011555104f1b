"""Russian by default, English on request, for what the registry shows people."""
from django.utils import translation

from smart.registry.models import Installation


def test_russian_by_default_and_english_on_request(settings):
    assert settings.LANGUAGE_CODE == "ru"
    with translation.override("ru"):
        assert str(Installation._meta.verbose_name_plural) == "установки"
    with translation.override("en"):
        assert str(Installation._meta.verbose_name_plural) == "installations"


def test_admin_page_in_russian(admin_client):
    page = admin_client.get("/admin/registry/installation/").content.decode()
    assert "установки" in page.lower()
