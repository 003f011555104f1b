"""Secrets SMART must reuse are Fernet-encrypted at rest and never shown in full."""
from django.db import connection

from smart.registry.models import Client, OnlineAccess
from smart.registry.secrets import mask


def test_online_password_encrypted_at_rest(dealer):
    client = Client.objects.create(dealer=dealer, slug="c", display_name="c")
    access = OnlineAccess.objects.create(dealer=dealer, client=client, firm="Ф", login="l", password="Pa55,word",
                                         host="online.kodeks.ru", folder="docs")
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM registry_onlineaccess WHERE id = %s", [access.id])
        raw = cursor.fetchone()[0]
    assert "Pa55" not in raw and raw.startswith("gAAAA")
    assert OnlineAccess.objects.get(id=access.id).password == "Pa55,word"
    assert "Pa55" not in repr(OnlineAccess.objects.get(id=access.id).password)


def test_mask_shows_at_most_two_characters():
    assert mask("Pa55,word") == "••••••rd"
    assert mask("abc") == "••••••"
    assert mask("") == ""
