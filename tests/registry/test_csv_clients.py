"""Which client an imported installation belongs to, and its managers."""
from smart.registry.models import Client, Installation

from .conftest import MANAGERS_CSV


def test_pushed_row_client_is_the_client_name(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    client = Installation.objects.get(name="romashka").client
    assert (client.slug, client.display_name) == ("romashka", "romashka")


def test_pulled_row_client_is_the_address(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    client = Installation.objects.get(name="cloud1.te-cloud.ru:443").client
    assert (client.slug, client.display_name) == ("cloud1.te-cloud.ru", "cloud1.te-cloud.ru")


def test_existing_client_with_that_slug_is_reused(dealer, managers, run_import):
    client = Client.objects.create(dealer=dealer, display_name="ООО Ромашка", slug="Romashka")
    run_import(MANAGERS_CSV)
    assert Installation.objects.get(name="romashka").client == client


def test_manager_is_added_to_the_client(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    assert list(Installation.objects.get(name="romashka").client.managers.all()) == [managers[0]]


def test_existing_installation_keeps_its_client(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    other = Client.objects.create(dealer=dealer, display_name="Облако", slug="oblako")
    Installation.objects.filter(name="cloud1.te-cloud.ru:443").update(client=other)
    _status, result = run_import(MANAGERS_CSV)
    assert result["changed"] == []
    assert Installation.objects.get(name="cloud1.te-cloud.ru:443").client == other


def test_other_dealers_objects_are_untouched(dealer, managers, run_import):
    from smart.registry.models import Dealer

    other = Dealer.objects.create(code="0099", name="other")
    client = Client.objects.create(dealer=other, display_name="x", slug="romashka")
    Installation.objects.create(dealer=other, client=client, kind="pushed", name="romashka")
    _status, result = run_import(MANAGERS_CSV, "--allow-remove")
    assert len(result["added"]) == 4 and result["removed"] == []
    assert Installation.objects.filter(dealer=other, archived_at__isnull=True).count() == 1
