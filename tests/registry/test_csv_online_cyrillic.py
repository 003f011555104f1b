"""online.csv with Cyrillic firm names: clients found by display name or created with a Latin slug."""
from smart.registry.importer import slug_from_text, transliterate
from smart.registry.models import Client, OnlineAccess

from .conftest import ONLINE_CSV


def test_online_rows_create_clients_with_transliterated_slugs(dealer, managers, run_import):
    status, result = run_import(ONLINE_CSV)
    assert status == 0 and result["kind"] == "online"
    clients = dict(Client.objects.filter(dealer=dealer).values_list("display_name", "slug"))
    assert clients == {"Звезда": "zvezda", 'ООО "Ромашка, и сыновья"': "ooo-romashka-i-synovya"}


def test_online_access_fields(dealer, managers, run_import):
    run_import(ONLINE_CSV)
    access = OnlineAccess.objects.get(login="romashka")
    assert access.firm == 'ООО "Ромашка, и сыновья"'
    assert access.password == 'p,a"ss'
    assert (access.host, access.folder, access.scheme) == ("online.kodeks.ru", "docs", "https")
    assert access.manager == managers[0]
    assert access.client.display_name == access.firm


def test_existing_client_is_found_by_display_name_ignoring_case(dealer, managers, run_import):
    client = Client.objects.create(dealer=dealer, display_name="ЗВЕЗДА", slug="zvezda-ltd")
    run_import(ONLINE_CSV)
    assert OnlineAccess.objects.get(login="zvezda").client == client


def test_colliding_slugs_get_numeric_suffixes(dealer, managers, run_import):
    Client.objects.create(dealer=dealer, display_name="Zvezda", slug="zvezda")
    run_import("Звезда!,a,pw,online.kodeks.ru,d1,https,Петров,p@d.ru\n"
               "Звезда?,b,pw,online.kodeks.ru,d2,https,Петров,p@d.ru\n")
    assert sorted(Client.objects.filter(dealer=dealer).values_list("slug", flat=True)) == [
        "zvezda", "zvezda-2", "zvezda-3"]


def test_several_logins_of_one_firm_share_a_client(dealer, managers, run_import):
    run_import("Звезда,a,pw,online.kodeks.ru,d1,https,Петров,p@d.ru\n"
               "Звезда,b,pw,online.kodeks.ru,d1,https,Петров,p@d.ru\n")
    assert Client.objects.filter(dealer=dealer).count() == 1
    assert OnlineAccess.objects.count() == 2


def test_transliteration_table():
    assert transliterate("Щука Ёж Юла Цех Хлеб") == "Shhuka Yozh Yula Czex Xleb"
    assert slug_from_text("«Рога и копыта» №1") == "roga-i-kopyta-no1"
    assert slug_from_text("!!!") == "client"
