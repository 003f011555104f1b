"""The operator's admin renders every registry and ingest list, and never shows stored secrets."""
import pytest

from smart.registry.models import Client, OnlineAccess, User


@pytest.fixture
def operator_client(client, dealer):
    operator = User.objects.create_superuser("op", "op@example.com", "long-password-1", role="operator")
    client.force_login(operator)
    return client


@pytest.mark.parametrize("path", ["registry/dealer", "registry/user", "registry/client", "registry/installation",
                                  "registry/onlineaccess", "registry/ingesttoken", "ingest/report", "ingest/uploadattempt"])
def test_admin_lists_render(operator_client, path):
    assert operator_client.get(f"/admin/{path}/").status_code == 200


def test_online_password_not_in_change_form(operator_client, dealer):
    client = Client.objects.create(dealer=dealer, slug="c", display_name="c")
    access = OnlineAccess.objects.create(dealer=dealer, client=client, firm="Ф", login="l", password="TopSecret42",
                                         host="h.ru", folder="docs")
    page = operator_client.get(f"/admin/registry/onlineaccess/{access.id}/change/").content.decode()
    assert "TopSecret42" not in page and "42" in page
