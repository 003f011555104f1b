"""Alert routing pages: routes, quiet hours and escalation, maintenance windows (in the user's zone), and the
Telegram binding code that `/start <code>` redeems."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from smart.alerts.models import MaintenanceWindow
from smart.cabinet.models import AuditEntry, Preference
from smart.notify.bot import bind_chat
from smart.notify.models import NotifyPolicy, Route, TelegramBinding


def url(name, *args):
    return reverse(f"cabinet:{name}", args=args)


def test_route_create_validate_edit_delete(world, as_user):
    c = as_user(world.a.dealer_admin)
    r = c.post(url("registry-route-new"), {"name": "Дежурные", "channel": "email", "target": "duty@d.ru; boss@d.ru",
                                           "categories": ["availability", "database"], "max_priority": "P2",
                                           "language": "ru", "enabled": "on"})
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    route = Route.objects.get(dealer=world.a.dealer)
    assert route.target == "duty@d.ru, boss@d.ru" and route.categories == ["availability", "database"]
    assert route.wants("P2", "database") and not route.wants("P3", "database") and not route.wants("P1", "usage")
    bad = c.post(url("registry-route-new"), {"name": "x", "channel": "webhook", "target": "ftp://x",
                                             "max_priority": "P4", "language": "en"})
    assert "target" in bad.context["form"].errors
    bad = c.post(url("registry-route-new"), {"name": "x", "channel": "email", "target": "",
                                             "max_priority": "P4", "language": "en"})
    assert "target" in bad.context["form"].errors
    ok = c.post(url("registry-route-new"), {"name": "Менеджеру", "channel": "email", "to_manager": "on",
                                            "max_priority": "P4", "language": "ru", "enabled": "on"})
    assert ok.status_code == 302
    c.post(url("registry-route-edit", route.pk), {"name": "Дежурные", "channel": "email", "target": "duty@d.ru",
                                                  "max_priority": "P1", "language": "ru", "enabled": "on"})
    route.refresh_from_db()
    assert route.max_priority == "P1" and route.categories == []
    entry = AuditEntry.objects.filter(action="update", object_type="route").get()
    assert entry.changes["max_priority"] == ["P2", "P1"] and entry.changes["target"] == ["duty@d.ru, boss@d.ru",
                                                                                           "duty@d.ru"]
    c.post(url("registry-route-delete", route.pk))
    assert not Route.objects.filter(pk=route.pk).exists()
    assert AuditEntry.objects.filter(action="delete").count() == 1
    # another dealer's route is not found; a technician may not route alerts
    foreign = Route.objects.create(dealer=world.b.dealer, name="B", channel="email", target="b@b.ru")
    assert c.get(url("registry-route-edit", foreign.pk)).status_code == 404
    assert as_user(world.a.technician).get(url("registry-routes")).status_code == 403


def test_policy_quiet_hours(world, as_user):
    c = as_user(world.a.dealer_admin)
    r = c.post(url("registry-policy"), {"time_zone": "Asia/Omsk", "quiet_start": "23:00", "quiet_end": "06:30",
                                        "morning_at": "08:00", "escalate_after_s": 900, "escalate_channel": "email",
                                        "escalate_to": "chief@d.ru"})
    assert r.status_code == 302, r.context["form"].errors
    policy = NotifyPolicy.objects.get(dealer=world.a.dealer)
    assert (policy.quiet_start, policy.quiet_end, policy.morning_at) == (time(23), time(6, 30), time(8))
    from smart.notify import policy as delivery

    omsk = ZoneInfo("Asia/Omsk")
    assert delivery.in_quiet(policy, datetime(2026, 12, 3, 23, 30, tzinfo=omsk))
    assert not delivery.in_quiet(policy, datetime(2026, 12, 3, 22, 30, tzinfo=omsk))
    bad = c.post(url("registry-policy"), {"time_zone": "Omsk", "quiet_start": "23:00", "quiet_end": "06:30",
                                          "morning_at": "08:00", "escalate_after_s": 5, "escalate_channel": "email"})
    assert set(bad.context["form"].errors) == {"time_zone", "escalate_after_s"}
    assert AuditEntry.objects.get(object_type="notifypolicy").changes["quiet_start"] == ["", "23:00:00"]


def test_maintenance_window_in_the_users_zone(world, as_user):
    tech = world.a.technician
    Preference.objects.create(user=tech, time_zone="Asia/Vladivostok")
    c = as_user(tech)
    inst = world.a.installations[world.a.branch_client.slug]
    start = (timezone.now() + timedelta(days=1)).astimezone(ZoneInfo("Asia/Vladivostok")).replace(
        hour=22, minute=0, second=0, microsecond=0)
    r = c.post(url("registry-maintenance-new"), {"installation": inst.pk, "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                                                 "ends_at": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
                                                 "comment": "замена диска"})
    assert r.status_code == 302, r.context["form"].errors
    window = MaintenanceWindow.objects.get()
    assert window.starts_at == start and window.ends_at - window.starts_at == timedelta(hours=3)
    assert window.starts_at.utcoffset() is not None and window.dealer == world.a.dealer
    # the edit form shows the window in the user's zone, as entered
    form = c.get(url("registry-maintenance-edit", window.pk)).content.decode()
    assert f'value="{start:%Y-%m-%dT%H:%M}"' in form
    # a technician may not declare a dealer-wide window
    r = c.post(url("registry-maintenance-new"), {"starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                                                 "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    assert "installation" in r.context["form"].errors
    r = c.post(url("registry-maintenance-new"), {"installation": inst.pk, "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                                                 "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    assert "ends_at" in r.context["form"].errors
    # ending a future window removes it
    c.post(url("registry-maintenance-end", window.pk))
    assert not MaintenanceWindow.objects.exists()
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["create", "delete"]
    # a manager may not
    assert as_user(world.a.manager).get(url("registry-maintenance")).status_code == 403


def test_running_window_ends_now(world, as_user):
    c = as_user(world.a.dealer_admin)
    now = timezone.now()
    w = MaintenanceWindow.objects.create(dealer=world.a.dealer, starts_at=now - timedelta(hours=1),
                                         ends_at=now + timedelta(hours=1))
    c.post(url("registry-maintenance-end", w.pk))
    w.refresh_from_db()
    assert now <= w.ends_at <= timezone.now()
    foreign = MaintenanceWindow.objects.create(dealer=world.b.dealer, starts_at=now, ends_at=now + timedelta(hours=1))
    assert c.post(url("registry-maintenance-end", foreign.pk)).status_code == 404


def test_telegram_code_binds_a_chat(world, as_user):
    c = as_user(world.a.dealer_admin)
    r = c.post(url("registry-telegram"), {})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    binding = TelegramBinding.objects.get()
    assert f"/start {binding.code}" in r.content.decode()
    assert binding.dealer == world.a.dealer and binding.route is None
    status, bound = bind_chat(binding.code, {"id": -100123, "title": "Дежурка"}, "ru")
    assert status == "bound"
    route = Route.objects.get(dealer=world.a.dealer)
    assert (route.channel, route.target, route.max_priority) == ("telegram", "-100123", "P2")
    page = c.get(url("registry-telegram")).content.decode()
    assert "Дежурка" in page and "-100123" in page
    # a code for an existing route points that route at the chat
    c.post(url("registry-telegram"), {"route": route.pk})
    second = TelegramBinding.objects.exclude(pk=binding.pk).get()
    assert second.route == route
    assert bind_chat(second.code, {"id": 555, "first_name": "Иван"}, "ru")[0] == "bound"
    route.refresh_from_db()
    assert route.target == "555" and Route.objects.filter(dealer=world.a.dealer).count() == 1
    assert AuditEntry.objects.filter(action="telegram").count() == 2
    foreign = Route.objects.create(dealer=world.b.dealer, name="B", channel="telegram", target="1")
    assert c.post(url("registry-telegram"), {"route": foreign.pk}).status_code == 404
