import pytest
from django.urls import reverse

PAGES = ["registry", "registry-clients", "registry-installations", "registry-online", "registry-audit",
         "registry-import", "registry-tokens", "registry-quarantine", "registry-users", "registry-routes",
         "registry-telegram", "registry-maintenance", "registry-client-new", "registry-installation-new",
         "registry-online-new", "registry-route-new", "registry-policy", "registry-maintenance-new"]


@pytest.mark.parametrize("name", PAGES)
def test_admin_pages_render(world, as_user, name):
    r = as_user(world.a.dealer_admin).get(reverse(f"cabinet:{name}"))
    assert r.status_code == 200, r.content[:3000]
