"""Platform alerts (no dealer: a platform-scope Count, SMART's own failures) go to SMART operations by
e-mail, at once, with the same re-notify rules."""
from datetime import timedelta

import pytest

from smart.alerts.lifecycle import Observation, RuleSpec, apply
from smart.notify.models import Notification
from smart.notify.reminders import run_reminders

from .conftest import MOSCOW, deliver, local

pytestmark = pytest.mark.django_db


def fire_platform(at):
    apply(RuleSpec("KodeksTcpStatusCount", priority="P1"),
          [Observation("platform", at, detail="31 hosts", labels={"host": "SMART"})], {"object_key": "platform"}, at)


def test_a_platform_alert_goes_to_the_ops_address_at_night(settings, sink):
    settings.SMART_OPS_EMAIL = "ops@smart.local, duty@smart.local"
    now = local(MOSCOW, 2025, 3, 5, 3, 0)
    fire_platform(now)
    assert deliver(now) == 2
    assert sorted(m.to for m in sink.wait_for(2)) == ["duty@smart.local", "ops@smart.local"]
    assert run_reminders(now + timedelta(hours=1)) == 2  # P1: hourly, to ops too
    assert set(Notification.objects.values_list("route", flat=True)) == {None}


def test_without_an_ops_address_every_operator_hears_of_it(settings, sink, dealer):
    from smart.registry.models import Role, User

    settings.SMART_OPS_EMAIL = ""
    User.objects.create(username="op", role=Role.OPERATOR, email="op@smart.local")
    User.objects.create(username="gone", role=Role.OPERATOR, email="gone@smart.local", is_active=False)
    User.objects.create(username="m", role=Role.MANAGER, dealer=dealer, email="manager@dealer.ru")
    now = local(MOSCOW, 2025, 3, 5, 12, 0)
    fire_platform(now)
    deliver(now)
    assert [m.to for m in sink.wait_for(1)] == ["op@smart.local"]
