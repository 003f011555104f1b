import pytest


@pytest.fixture
def fleet(db, dealer):
    """A client with twelve pulled installations and an online access."""
    from smart.registry.models import Client, Installation, OnlineAccess

    client = Client.objects.create(dealer=dealer, display_name="Облако", slug="cloud")
    installations = [
        Installation.objects.create(dealer=dealer, client=client, kind=Installation.Kind.PULLED,
                                    name=f"{10000 + i}.te-cloud.ru:443", address=f"{10000 + i}.te-cloud.ru", port=443)
        for i in range(12)]
    access = OnlineAccess.objects.create(dealer=dealer, client=client, firm="Ромашка", login="romashka",
                                         password="p", host="online.kodeks.ru", folder="docs1")
    return installations, access
