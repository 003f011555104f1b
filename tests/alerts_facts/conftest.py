import pytest

from tests.pipeline.conftest import deliver, roga  # noqa: F401 - the pipeline's ROGA installation and uploader


@pytest.fixture(autouse=True)
def _no_upload_limit(settings):
    settings.SMART_UPLOADS_PER_NAME_PER_HOUR = 0


@pytest.fixture
def alert():
    """The alert of a rule for an object key (None if there is none)."""
    from smart.alerts.models import Alert

    def _alert(rule, key):
        return Alert.objects.filter(rule=rule, object_key=key).first()

    return _alert


@pytest.fixture
def state(alert):
    """The state of a rule's alert for an object key (None if there is none)."""

    def _state(rule, key):
        found = alert(rule, key)
        return found.state if found else None

    return _state


@pytest.fixture
def installation(dealer, dealer_token):
    """Another pushed installation of the dealer (own client), by name."""
    from smart.registry.models import Client, Installation

    def _installation(name, **fields):
        client = Client.objects.create(dealer=dealer, slug=name, display_name=name.title())
        return Installation.objects.create(dealer=dealer, client=client, kind="pushed", name=name,
                                           time_zone="Europe/Moscow", **fields)

    return _installation
