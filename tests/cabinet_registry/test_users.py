"""People: invitation by e-mail end to end (mail captured by the locmem backend), accepting it with Django's
password validators, deactivation and role changes, with the audit trail."""
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from smart.cabinet.models import AuditEntry, Invitation
from smart.registry.models import Role, User


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMART_BASE_URL = "https://smart.example.ru"


def url(name, *args):
    return reverse(f"cabinet:{name}", args=args)


def invite(c, **data):
    return c.post(url("registry-user-invite"), {"email": "new.person@dealer.ru", "full_name": "Новая Персона",
                                                "role": "technician", "branch": "", **data})


def link_in_mail(message) -> str:
    match = re.search(r"https://smart\.example\.ru(/registry/invite/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_invitation_end_to_end(world, as_user, client):
    admin = as_user(world.a.dealer_admin)
    r = invite(admin)
    assert r.status_code == 302
    [message] = mail.outbox
    assert message.to == ["new.person@dealer.ru"]
    assert world.a.dealer.display_name in message.subject
    path = link_in_mail(message)
    token = path.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == Invitation.hash(token) and token not in str(invitation.__dict__)
    assert invitation.role == "technician" and invitation.dealer == world.a.dealer
    assert AuditEntry.objects.get(action="invite").object_repr == "new.person@dealer.ru"

    page = client.get(path)
    assert page.status_code == 200 and page.context["form"]["username"].value() == "new.person"
    weak = client.post(path, {"username": "new.person", "full_name": "Новая Персона", "password1": "password123",
                              "password2": "password123"})
    assert weak.status_code == 200 and "password1" in weak.context["form"].errors  # a common password
    assert not User.objects.filter(username="new.person").exists()
    taken = client.post(path, {"username": world.a.manager.username.upper(), "full_name": "X",
                               "password1": "Kalina-Malina-2026", "password2": "Kalina-Malina-2026"})
    assert "username" in taken.context["form"].errors
    r = client.post(path, {"username": "new.person", "full_name": "Новая Персона", "password1": "Kalina-Malina-2026",
                           "password2": "Kalina-Malina-2026"})
    assert r.status_code == 302
    user = User.objects.get(username="new.person")
    assert (user.dealer, user.role, user.email, user.branch) == (world.a.dealer, Role.TECHNICIAN,
                                                                 "new.person@dealer.ru", None)
    assert user.check_password("Kalina-Malina-2026")
    # signed in: the registry pages open for the new technician
    assert client.get(url("registry-installations")).status_code == 200
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.user == user
    assert AuditEntry.objects.get(action="accept").user == user
    # the link works once
    client.logout()
    again = client.get(path)
    assert again.status_code == 410 and "form" not in again.context


def test_expired_and_unknown_invitations_are_refused(world, as_user, client):
    invite(as_user(world.a.dealer_admin))
    path = link_in_mail(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now())
    assert client.get(path).status_code == 410
    assert client.post(path, {"username": "x", "full_name": "x", "password1": "Kalina-Malina-2026",
                              "password2": "Kalina-Malina-2026"}).status_code == 410
    assert client.get(url("registry-invite-accept", "not-a-token")).status_code == 410
    assert not User.objects.filter(username="x").exists()


def test_resend_replaces_the_link(world, as_user, client):
    admin = as_user(world.a.dealer_admin)
    invite(admin)
    old = link_in_mail(mail.outbox[0])
    admin.post(url("registry-invitation-resend", Invitation.objects.get().pk))
    new = link_in_mail(mail.outbox[1])
    assert old != new and client.get(old).status_code == 410 and client.get(new).status_code == 200


def test_branch_head_invites_into_the_branch_only(world, as_user):
    head = as_user(world.a.head)
    r = invite(head, role="dealer_admin")
    assert r.status_code == 400 and "role" in r.context["form"].errors
    r = invite(head, role="manager", branch=world.a.branch.pk)
    assert r.status_code == 302
    assert Invitation.objects.get().branch == world.a.branch
    r = invite(head, email="other@dealer.ru", role="manager", branch="")
    assert r.status_code == 400 and "branch" in r.context["form"].errors
    # the head's user list is the branch's people
    people = {u.username for u in head.get(url("registry-users")).context["people"]}
    assert people == {world.a.head.username}


def test_manager_cannot_invite(world, as_user):
    assert invite(as_user(world.a.manager)).status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox


def test_deactivate_and_change_role(world, as_user, client):
    admin = as_user(world.a.dealer_admin)
    person = world.a.other_manager
    r = admin.post(url("registry-user-edit", person.pk), {
        "full_name": person.full_name, "email": person.email, "role": "head", "branch": world.a.branch.pk})
    assert r.status_code == 302
    person.refresh_from_db()
    assert (person.role, person.branch, person.is_active) == ("head", world.a.branch, False)
    entry = AuditEntry.objects.get(object_type="user")
    assert entry.action == "deactivate"
    assert entry.changes == {"role": ["manager", "head"], "branch": ["", world.a.branch.name],
                             "is_active": ["True", "False"]}
    assert not client.login(username=person.username, password="correct-horse-battery-7")
    # nobody deactivates or demotes themselves
    me = world.a.dealer_admin
    admin.post(url("registry-user-edit", me.pk), {"full_name": "Я", "email": me.email, "role": "manager"})
    me.refresh_from_db()
    assert me.is_active and me.role == "dealer_admin" and me.full_name == "Я"
    # another dealer's people are not found
    assert admin.get(url("registry-user-edit", world.b.manager.pk)).status_code == 404
