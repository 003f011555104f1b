"""Registry UI tests: the shared cabinet fixtures (two dealers with every role) and a signed-in client."""
import pytest
from django.test import Client

from cabinet.fixtures import *  # noqa: F401,F403


@pytest.fixture
def as_user():
    """as_user(user) -> a Django test client signed in as `user`."""

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    """Each test keeps pending import files in its own data dir."""
    settings.DATA_DIR = tmp_path
