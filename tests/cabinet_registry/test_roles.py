"""Who may read and write which registry page: admin writes, a manager reads their own clients only, a
technician edits installations only; another dealer's objects are not found; every change is audited."""
import pytest
from django.urls import reverse

from smart.cabinet.models import AuditEntry
from smart.registry.models import Client, Installation, OnlineAccess

READ_PAGES = ["registry", "registry-clients", "registry-installations", "registry-online"]
ADMIN_PAGES = ["registry-audit", "registry-import", "registry-tokens", "registry-quarantine", "registry-users",
               "registry-routes", "registry-telegram", "registry-maintenance", "registry-client-new",
               "registry-installation-new", "registry-online-new", "registry-route-new", "registry-policy",
               "registry-maintenance-new"]
TECH_PAGES = {"registry-tokens", "registry-quarantine", "registry-maintenance", "registry-installation-new",
              "registry-maintenance-new"}


def errors(response) -> dict:
    """{field: [error code, ...]} of the page's form (language-independent)."""
    return {k: [e.code for e in v.as_data()] for k, v in response.context["form"].errors.items()}


def url(name, *args):
    return reverse(f"cabinet:{name}", args=args)


@pytest.mark.parametrize("name", READ_PAGES + ADMIN_PAGES)
def test_dealer_admin_opens_every_page(world, as_user, name):
    assert as_user(world.a.dealer_admin).get(url(name)).status_code == 200


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_manager_is_refused_every_write_page(world, as_user, name):
    assert as_user(world.a.manager).get(url(name)).status_code == 403


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_technician_gets_installation_pages_only(world, as_user, name):
    status = as_user(world.a.technician).get(url(name)).status_code
    assert status == (200 if name in TECH_PAGES else 403)


def test_anonymous_is_sent_to_sign_in(client):
    r = client.get(url("registry-clients"))
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_manager_lists_only_own_clients_without_edit_links(world, as_user):
    body = as_user(world.a.manager).get(url("registry-clients")).content.decode()
    assert world.a.branch_client.display_name in body
    assert world.a.other_manager_client.display_name not in body
    assert world.b.branch_client.display_name not in body
    assert url("registry-client-new") not in body


def test_manager_cannot_post_changes(world, as_user):
    c = as_user(world.a.manager)
    client = world.a.branch_client
    assert c.post(url("registry-client-edit", client.pk), {"display_name": "X", "slug": "x"}).status_code == 403
    assert c.post(url("registry-client-archive", client.pk)).status_code == 403
    inst = world.a.installations[client.slug]
    assert c.post(url("registry-installation-archive", inst.pk)).status_code == 403
    client.refresh_from_db()
    inst.refresh_from_db()
    assert client.display_name != "X" and client.archived_at is None and inst.archived_at is None
    assert not AuditEntry.objects.exists()


def test_foreign_dealer_objects_are_not_found(world, as_user):
    c = as_user(world.a.dealer_admin)
    other = world.b.branch_client
    assert c.get(url("registry-client", other.pk)).status_code == 404
    assert c.get(url("registry-client-edit", other.pk)).status_code == 404
    inst = world.b.installations[other.slug]
    assert c.post(url("registry-installation-archive", inst.pk)).status_code == 404
    inst.refresh_from_db()
    assert inst.archived_at is None


def test_manager_sees_own_client_card_but_not_a_colleagues(world, as_user):
    c = as_user(world.a.manager)
    assert c.get(url("registry-client", world.a.branch_client.pk)).status_code == 200
    assert c.get(url("registry-client", world.a.other_manager_client.pk)).status_code == 404


def test_admin_creates_client_and_audit_records_it(world, as_user):
    admin = world.a.dealer_admin
    r = as_user(admin).post(url("registry-client-new"), {
        "display_name": "ООО «Ромашка»", "slug": "romashka", "legal_name": "", "regnum": "",
        "managers": [world.a.manager.pk], "seasonal": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    client = Client.objects.get(dealer=world.a.dealer, slug="romashka")
    assert client.seasonal and list(client.managers.all()) == [world.a.manager]
    entry = AuditEntry.objects.get(action="create", object_type="client")
    assert entry.user == admin and entry.dealer == world.a.dealer and entry.object_id == str(client.pk)
    assert entry.changes["slug"] == ["", "romashka"] and entry.changes["seasonal"] == ["", "True"]


def test_client_slug_rules_and_case_insensitive_uniqueness(world, as_user):
    c = as_user(world.a.dealer_admin)
    taken = world.a.branch_client.slug.upper()
    r = c.post(url("registry-client-new"), {"display_name": "Twin", "slug": taken})
    assert r.status_code == 200 and errors(r) == {"slug": ["unique"]}
    r = c.post(url("registry-client-new"), {"display_name": "Bad", "slug": "плохое имя"})
    assert r.status_code == 200 and errors(r) == {"slug": ["bad_slug"]}
    # the same slug at another dealer is fine
    r = c.post(url("registry-client-new"), {"display_name": "Same", "slug": world.b.branch_client.slug})
    assert r.status_code == 302
    assert Client.objects.filter(dealer=world.a.dealer).count() == 4


def test_edit_records_only_changed_fields(world, as_user):
    client = world.a.unmanaged_client
    r = as_user(world.a.dealer_admin).post(url("registry-client-edit", client.pk), {
        "display_name": "Школа №1", "slug": client.slug, "legal_name": client.legal_name, "regnum": "7701"})
    assert r.status_code == 302
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {"display_name": [client.display_name, "Школа №1"], "regnum": ["", "7701"]}


def test_archive_and_restore_client(world, as_user):
    c = as_user(world.a.dealer_admin)
    client = world.a.unmanaged_client
    c.post(url("registry-client-archive", client.pk))
    client.refresh_from_db()
    assert client.archived_at is not None
    body = c.get(url("registry-clients")).content.decode()
    assert f'data-client="{client.slug}"' not in body
    assert f'data-client="{client.slug}"' in c.get(url("registry-clients") + "?state=archived").content.decode()
    c.post(url("registry-client-restore", client.pk))
    client.refresh_from_db()
    assert client.archived_at is None
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == ["archive", "restore"]


def test_search_filters_clients(world, as_user):
    body = as_user(world.a.dealer_admin).get(url("registry-clients") + "?q=bank").content.decode()
    assert world.a.other_manager_client.display_name in body
    assert world.a.branch_client.display_name not in body


def test_technician_creates_and_edits_installation_but_not_client(world, as_user):
    tech = as_user(world.a.technician)
    client = world.a.unmanaged_client
    assert tech.post(url("registry-client-edit", client.pk), {"display_name": "x", "slug": "x"}).status_code == 403
    r = tech.post(url("registry-installation-new"), {
        "client": client.pk, "kind": "pushed", "name": "SHKOLA-SERVER", "time_zone": "-1",
        "expected_interval_s": 3600, "probe_interval_s": 60, "status_interval_s": 900, "asrp_period_s": 604800,
        "download": "on", "upload": "on", "process": "on", "alert_emails": "it@school.ru; head@school.ru"})
    assert r.status_code == 302, r.content.decode()[:3000]
    inst = Installation.objects.get(dealer=world.a.dealer, name="SHKOLA-SERVER")
    assert inst.time_zone == "Europe/Moscow"  # legacy Saratov offset -1 read as Moscow
    assert inst.alert_emails == "it@school.ru;head@school.ru" and inst.kind == "pushed" and inst.port is None
    r = tech.post(url("registry-installation-edit", inst.pk), {
        "client": client.pk, "kind": "pulled", "address": "Shkola.Example.RU", "port": 8443, "scheme": "https",
        "time_zone": "Asia/Omsk", "expected_interval_s": 3600, "probe_interval_s": 60, "status_interval_s": 900,
        "asrp_period_s": 604800, "smartlogin_password": "s3cret-pass"})
    assert r.status_code == 302, r.content.decode()[:3000]
    inst.refresh_from_db()
    assert (inst.name, inst.address, inst.port, inst.kind) == ("shkola.example.ru:8443", "shkola.example.ru", 8443,
                                                               "pulled")
    assert inst.smartlogin_password == "s3cret-pass"
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.user == world.a.technician
    assert entry.changes["name"] == ["SHKOLA-SERVER", "shkola.example.ru:8443"]
    assert entry.changes["smartlogin_password"] == ["", "(changed)"]
    assert "s3cret" not in str(entry.changes)


def test_installation_validation_uses_registry_rules(world, as_user):
    tech = as_user(world.a.technician)
    base = {"client": world.a.unmanaged_client.pk, "time_zone": "Europe/Moscow", "expected_interval_s": 3600,
            "probe_interval_s": 60, "status_interval_s": 900, "asrp_period_s": 604800}
    r = tech.post(url("registry-installation-new"), {**base, "kind": "pushed", "name": "bad name!"})
    assert errors(r) == {"name": ["bad_client_name"]}
    r = tech.post(url("registry-installation-new"), {**base, "kind": "pulled", "address": "host", "port": 70000})
    assert errors(r) == {"address": ["bad_address"]}
    existing = world.a.installations[world.a.branch_client.slug].name
    host, port = existing.rsplit(":", 1)
    r = tech.post(url("registry-installation-new"), {**base, "kind": "pulled", "address": host.upper(), "port": port})
    assert errors(r) == {"__all__": ["name_taken"]}
    r = tech.post(url("registry-installation-new"),
                  {**base, "kind": "pushed", "name": "OK-NAME", "time_zone": "Mars/Base"})
    assert errors(r) == {"time_zone": ["bad_tz"]}
    r = tech.post(url("registry-installation-new"),
                  {**base, "kind": "pushed", "name": "OK-NAME", "alert_emails": "not-an-email"})
    assert errors(r) == {"alert_emails": ["bad_email"]}
    assert Installation.objects.filter(dealer=world.a.dealer).count() == 3


def test_online_access_password_is_write_only(world, as_user):
    c = as_user(world.a.dealer_admin)
    r = c.post(url("registry-online-new"), {"firm": "Новая фирма", "login": "newlogin", "password": "pa ss;word",
                                            "host": "Online.Kodeks.RU", "folder": "docs", "scheme": "https"})
    assert r.status_code == 302, r.content.decode()[:3000]
    access = OnlineAccess.objects.get(login="newlogin")
    assert access.password == "pa ss;word" and access.host == "online.kodeks.ru"
    assert access.client.display_name == "Новая фирма" and access.client.dealer == world.a.dealer
    page = c.get(url("registry-online-edit", access.pk)).content.decode()
    assert "pa ss;word" not in page
    # an edit without a password keeps it
    r = c.post(url("registry-online-edit", access.pk), {"client": access.client_id, "firm": "Новая фирма",
                                                        "login": "newlogin", "password": "", "host": "online.kodeks.ru",
                                                        "folder": "docs2", "scheme": "https"})
    assert r.status_code == 302
    access.refresh_from_db()
    assert access.password == "pa ss;word" and access.folder == "docs2"
    r = c.post(url("registry-online-new"), {"firm": "F", "login": "l", "password": "p", "host": "https://x.ru/docs",
                                            "folder": "a/b", "scheme": "https"})
    assert errors(r) == {"host": ["bad_host"], "folder": ["bad_folder"]}
    assert "pa ss;word" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_technician_cannot_touch_online_accesses(world, as_user):
    access = world.a.accesses[world.a.unmanaged_client.slug]
    tech = as_user(world.a.technician)
    assert tech.get(url("registry-online-edit", access.pk)).status_code == 403
    assert tech.post(url("registry-online-archive", access.pk)).status_code == 403


def test_branch_head_sees_only_the_branch(world, as_user):
    head = as_user(world.a.head)
    body = head.get(url("registry-clients")).content.decode()
    assert world.a.branch_client.display_name in body and world.a.unmanaged_client.display_name not in body
    assert head.get(url("registry-client-edit", world.a.unmanaged_client.pk)).status_code == 404
    # dealer-wide pages are for dealer-wide admins only
    assert head.get(url("registry-import")).status_code == 403
    assert head.get(url("registry-audit")).status_code == 403


def test_audit_page_lists_entries_of_the_dealer_only(world, as_user):
    as_user(world.a.dealer_admin).post(url("registry-client-archive", world.a.unmanaged_client.pk))
    as_user(world.b.dealer_admin).post(url("registry-client-archive", world.b.unmanaged_client.pk))
    body = as_user(world.a.dealer_admin).get(url("registry-audit")).content.decode()
    assert world.a.unmanaged_client.display_name in body
    assert world.b.unmanaged_client.display_name not in body
    assert body.count('data-audit="archive"') == 1


def test_operator_switches_dealer(world, as_user):
    op = as_user(world.operator)
    op.post(url("registry-dealer"), {"dealer": world.b.dealer.pk})
    body = op.get(url("registry-clients")).content.decode()
    assert world.b.unmanaged_client.display_name in body and world.a.unmanaged_client.display_name not in body
    op.post(url("registry-dealer"), {"dealer": world.a.dealer.pk})
    body = op.get(url("registry-clients")).content.decode()
    assert world.a.unmanaged_client.display_name in body
    assert as_user(world.a.dealer_admin).post(url("registry-dealer"), {"dealer": world.b.dealer.pk}).status_code == 404


def test_english_on_request(world, as_user):
    c = as_user(world.a.dealer_admin)
    c.cookies["django_language"] = "en"
    body = c.get(url("registry-installations")).content.decode()
    assert "New installation" in body and "Новая установка" not in body
    c.cookies["django_language"] = "ru"
    body = c.get(url("registry-installations")).content.decode()
    assert "Новая установка" in body


def test_branch_head_picks_managers_of_the_branch_only(world, as_user):
    from smart.registry.models import Branch, Role
    from cabinet.users import make_user

    branch_person = make_user(Role.MANAGER, world.a.dealer, username="branch-m", branch=world.a.branch)
    form = as_user(world.a.head).get(url("registry-client-edit", world.a.branch_client.pk)).context["form"]
    # the branch's people, and the client's current manager (kept on save), but no other dealer staff
    assert set(form.fields["managers"].queryset) == {world.a.head, branch_person, world.a.manager}
    new_form = as_user(world.a.head).get(url("registry-client-new")).context["form"]
    assert set(new_form.fields["managers"].queryset) == {world.a.head, branch_person}
    assert set(form.fields["branch"].queryset) == {world.a.branch}
    assert Branch.objects.filter(dealer=world.a.dealer).count() == 1


def test_site_contacts_on_the_client_card(world, as_user):
    from smart.registry.models import ClientContact

    client = world.a.branch_client
    tech = as_user(world.a.technician)
    r = tech.post(url("registry-contact-add", client.pk), {"name": "Пётр Админов", "role": "сисадмин",
                                                           "phone": "+7 900 000-00-00", "email": "petr@zavod.ru",
                                                           "notes": "RDP через VPN, 9–18"})
    assert r.status_code == 302
    contact = ClientContact.objects.get(client=client)
    assert contact.email == "petr@zavod.ru"
    assert "Пётр Админов" in as_user(world.a.manager).get(url("registry-client", client.pk)).content.decode()
    assert as_user(world.a.manager).post(url("registry-contact-add", client.pk), {"name": "x"}).status_code == 403
    bad = tech.post(url("registry-contact-add", client.pk), {"name": "", "email": "nope"})
    assert bad.status_code == 400 and set(bad.context["contact_form"].errors) == {"name", "email"}
    entry = AuditEntry.objects.get(action="create", object_type="clientcontact")
    assert entry.changes["email"] == ["", "petr@zavod.ru"] and entry.dealer == world.a.dealer
    assert as_user(world.b.dealer_admin).post(
        url("registry-contact-delete", client.pk, contact.pk)).status_code == 404
    tech.post(url("registry-contact-delete", client.pk, contact.pk))
    assert not ClientContact.objects.exists()
