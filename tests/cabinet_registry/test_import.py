"""CSV import through the preview and apply (D §5.3 IM-1…IM-5): a managers.csv saved by Excel (CP1251, ';'),
an online.csv, errors per line, removal only when asked, the file not kept, and export back."""
import csv
import io
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from smart.cabinet.models import AuditEntry
from smart.registry.models import Installation, OnlineAccess, RegistryImport

# As Excel saves it in a Russian Windows: CP1251, ';' delimiter, the e-mail list quoted, CRLF, padding ';;'.
MANAGERS_ROWS = [
    'shkola-a.host-a.ru:443;Менеджерова A;"boss@zavod.ru;it@zavod.ru";https;download;upload;process;ping;-1;3600;'
    '604800',
    'Zavod-Novy;Менеджерова A;novy@zavod.ru;smartupload;download;upload;process;donotping;-1;3600;604800;;',
    'cloud.novy-bank.ru:8080;Другой-Менеджер A;bank@bank.ru;http;download;upload;process;donotping;+1',
]


def managers_csv(rows=MANAGERS_ROWS) -> bytes:
    return ("\r\n".join(rows) + "\r\n").encode("cp1251")


def url(name, *args):
    return reverse(f"cabinet:{name}", args=args)


def upload(c, data: bytes, name="0101_manager_20261203.csv", **options):
    return c.post(url("registry-import"), {"file": _file(data, name), "kind": "", **options})


def _file(data, name):
    f = io.BytesIO(data)
    f.name = name
    return f


def stored_files():
    folder = Path(settings.DATA_DIR) / "registry-imports"
    return sorted(folder.glob("*.bin")) if folder.exists() else []


def test_preview_then_apply_cp1251_semicolon_managers(world, as_user):
    c = as_user(world.a.dealer_admin)
    dealer = world.a.dealer
    before = set(Installation.objects.filter(dealer=dealer).values_list("name", "archived_at"))
    r = upload(c, managers_csv())
    assert r.status_code == 200
    plan = r.context["plan"]
    assert (plan.kind, plan.encoding, plan.delimiter) == ("managers", "cp1251", ";")
    assert [i.name for i in plan.added] == ["Zavod-Novy", "cloud.novy-bank.ru:8080"]
    [changed] = plan.changed
    assert changed.name == "shkola-a.host-a.ru:443" and changed.line == 1
    assert {"manager", "alert_emails", "ping", "scheme"} <= set(changed.fields)
    # the two installations of dealer A not in the file are listed, but kept without the option
    assert sorted(i.name for i in plan.removed) == ["bank-a.host-a.ru:443", "zavod-a.host-a.ru:443"]
    body = r.content.decode()
    assert body.count('data-op="add"') == 2 and body.count('data-op="remove"') == 2 and 'id="apply"' in body
    # a preview writes nothing (the file is kept encrypted until apply)
    assert set(Installation.objects.filter(dealer=dealer).values_list("name", "archived_at")) == before
    assert not RegistryImport.objects.exists()
    [kept] = stored_files()
    assert b"Zavod-Novy" not in kept.read_bytes() and "Zavod-Novy".encode("cp1251") not in kept.read_bytes()

    r = c.post(url("registry-import-apply"), {"sha256": plan.sha256})
    assert r.status_code == 302
    novy = Installation.objects.get(dealer=dealer, name="Zavod-Novy")
    assert novy.kind == "pushed" and novy.manager == world.a.manager and not novy.ping
    assert novy.client.slug == "Zavod-Novy" and world.a.manager in novy.client.managers.all()
    bank = Installation.objects.get(dealer=dealer, name="cloud.novy-bank.ru:8080")
    assert (bank.scheme, bank.port, bank.time_zone, bank.legacy_columns) == ("http", 8080, "Asia/Yekaterinburg", 9)
    assert bank.manager == world.a.other_manager
    shkola = Installation.objects.get(dealer=dealer, name="shkola-a.host-a.ru:443")
    assert shkola.alert_emails == "boss@zavod.ru;it@zavod.ru" and shkola.manager == world.a.manager and shkola.ping
    assert Installation.objects.filter(dealer=dealer, archived_at__isnull=True).count() == 5  # nothing archived
    imp = RegistryImport.objects.get()
    assert (imp.dealer, imp.kind, imp.added, imp.changed, imp.removed) == (dealer, "managers", 2, 1, 0)
    assert imp.file_name == "0101_manager_20261203.csv" and imp.file_sha256 == plan.sha256
    entry = AuditEntry.objects.get(action="import")
    assert entry.user == world.a.dealer_admin and entry.changes["added"] == ["", 2]
    assert entry.changes["sha256"] == ["", plan.sha256]
    # one entry per object, with the changed fields
    added = AuditEntry.objects.filter(action="import-add").order_by("id")
    assert [(e.object_repr, e.changes["line"]) for e in added] == [("Zavod-Novy", ["", 2]),
                                                                 ("cloud.novy-bank.ru:8080", ["", 3])]
    update = AuditEntry.objects.get(action="import-update")
    assert update.object_id == str(shkola.pk) and update.user == world.a.dealer_admin
    assert update.changes["alert_emails"] == ["", "boss@zavod.ru;it@zavod.ru"]
    assert update.changes["ping"] == ["False", "True"]
    assert stored_files() == []  # IM-5: the file is gone once applied
    # the other dealer is untouched
    assert not Installation.objects.filter(dealer=world.b.dealer, name="Zavod-Novy").exists()
    # applying again is refused: nothing pending
    r = c.post(url("registry-import-apply"), {"sha256": plan.sha256})
    assert r.status_code == 302 and RegistryImport.objects.count() == 1


def test_allow_remove_archives_the_missing_objects(world, as_user):
    c = as_user(world.a.dealer_admin)
    r = upload(c, managers_csv(), allow_remove="on")
    assert r.content.decode().count('data-op="remove"') == 2
    c.post(url("registry-import-apply"), {"sha256": r.context["plan"].sha256})
    archived = set(Installation.objects.filter(dealer=world.a.dealer, archived_at__isnull=False)
                   .values_list("name", flat=True))
    assert archived == {"bank-a.host-a.ru:443", "zavod-a.host-a.ru:443"}
    assert RegistryImport.objects.get().removed == 2
    assert set(AuditEntry.objects.filter(action="import-archive").values_list("object_repr", flat=True)) == archived


def test_errors_per_line_block_apply(world, as_user):
    c = as_user(world.a.dealer_admin)
    rows = MANAGERS_ROWS + [
        'bad name!;Менеджерова A;x@y.ru;smartupload;download;upload;process;donotping;-1',
        'Novy2;Никто Такой;x@y.ru;smartupload;download;upload;process;donotping;-1',
        'host.ru:99999;Менеджерова A;x@y.ru;https;download;upload;process;ping;-1',
    ]
    r = upload(c, managers_csv(rows))
    plan = r.context["plan"]
    assert [(e.line, e.code) for e in plan.errors] == [(4, "bad_client_name"), (5, "unknown_manager"),
                                                       (6, "bad_address")]
    body = r.content.decode()
    assert 'data-line="4"' in body and 'data-line="5"' in body and 'id="apply"' not in body
    assert stored_files() == []
    r = c.post(url("registry-import-apply"), {"sha256": plan.sha256})
    assert r.status_code == 302 and not RegistryImport.objects.exists()
    assert not Installation.objects.filter(name="Zavod-Novy").exists()


def test_create_managers_option_creates_users_on_apply(world, as_user):
    c = as_user(world.a.dealer_admin)
    rows = ['Novy3;Иванова Мария;maria@dealer.ru;smartupload;download;upload;process;donotping;-1;3600;604800']
    r = upload(c, managers_csv(rows), create_managers="on")
    assert [m["name"] for m in r.context["plan"].new_managers] == ["Иванова Мария"]
    c.post(url("registry-import-apply"), {"sha256": r.context["plan"].sha256})
    inst = Installation.objects.get(name="Novy3")
    assert inst.manager.full_name == "Иванова Мария" and inst.manager.dealer == world.a.dealer
    assert inst.manager.email == "maria@dealer.ru" and not inst.manager.has_usable_password()


def test_registry_changed_between_preview_and_apply(world, as_user):
    c = as_user(world.a.dealer_admin)
    rows = ['Novy4;Менеджерова A;a@b.ru;smartupload;download;upload;process;donotping;-1;3600;604800']
    r = upload(c, managers_csv(rows))
    world.a.manager.delete()  # the manager the file names disappears before the apply
    r = c.post(url("registry-import-apply"), {"sha256": r.context["plan"].sha256})
    assert r.status_code == 409
    assert [e.code for e in r.context["plan"].errors] == ["unknown_manager"]
    assert not Installation.objects.filter(name="Novy4").exists() and not RegistryImport.objects.exists()


def test_cancel_forgets_the_file(world, as_user):
    c = as_user(world.a.dealer_admin)
    r = upload(c, managers_csv())
    assert len(stored_files()) == 1
    c.post(url("registry-import-cancel"))
    assert stored_files() == []
    r = c.post(url("registry-import-apply"), {"sha256": r.context["plan"].sha256})
    assert r.status_code == 302 and not RegistryImport.objects.exists()


def test_online_csv_import_keeps_passwords_secret(world, as_user):
    c = as_user(world.a.dealer_admin)
    data = ('"Рога, Копыта и Ко";rk-user;P@ss;w0rd;online.kodeks.ru;rk;https;Менеджерова A;rk@rk.ru\r\n'
            ).encode("cp1251")
    data = data.replace(b"P@ss;w0rd", b'"P@ss;w0rd"')
    r = upload(c, data, name="online.csv")
    plan = r.context["plan"]
    assert plan.kind == "online" and [i.name for i in plan.added] == ["Рога, Копыта и Ко (rk-user@online.kodeks.ru/rk)"]
    assert "P@ss" not in r.content.decode()
    c.post(url("registry-import-apply"), {"sha256": plan.sha256})
    access = OnlineAccess.objects.get(login="rk-user")
    assert access.password == "P@ss;w0rd" and access.client.display_name == "Рога, Копыта и Ко"
    # a changed password is recorded as changed, never with its value
    changed = data.replace(b"P@ss;w0rd", b"N3w-pass")
    r = upload(c, changed, name="online2.csv")
    c.post(url("registry-import-apply"), {"sha256": r.context["plan"].sha256})
    access.refresh_from_db()
    assert access.password == "N3w-pass"
    assert AuditEntry.objects.get(action="import-update").changes == {"password": ["", "(changed)"]}
    assert "P@ss" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert "N3w" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_export_reads_back_as_the_same_registry(world, as_user):
    c = as_user(world.a.dealer_admin)
    # a CSV row needs a manager and an e-mail: complete the fixture's registry
    Installation.objects.filter(dealer=world.a.dealer).update(alert_emails="ops@dealer.ru", manager=world.a.manager,
                                                              scheme="https")
    r = c.get(url("registry-export", "managers"))
    assert r.status_code == 200 and r["Content-Disposition"].startswith('attachment; filename="dlra_manager_')
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
    assert sorted(row[0] for row in rows) == sorted(i.name for i in world.a.installations.values())
    assert AuditEntry.objects.get(action="export").object_id == "managers"
    # importing the export changes nothing
    r = upload(c, r.content, name="export.csv")
    plan = r.context["plan"]
    assert plan.ok and not plan.added and not plan.changed and not plan.removed and plan.unchanged == 3
    online = c.get(url("registry-export", "online"))
    assert b"secret-pass" in online.content and online["Cache-Control"] == "no-store"


def test_import_is_for_dealer_wide_admins_only(world, as_user):
    for user in (world.a.manager, world.a.technician, world.a.head):
        c = as_user(user)
        assert upload(c, managers_csv()).status_code == 403
        assert c.get(url("registry-export", "online")).status_code == 403
    assert not RegistryImport.objects.exists()


def test_preview_of_one_dealer_cannot_be_applied_to_another(world, as_user):
    c = as_user(world.operator)
    c.post(url("registry-dealer"), {"dealer": world.a.dealer.pk})
    r = upload(c, managers_csv())
    c.post(url("registry-dealer"), {"dealer": world.b.dealer.pk})
    r = c.post(url("registry-import-apply"), {"sha256": r.context["plan"].sha256})
    assert r.status_code == 302 and not RegistryImport.objects.exists()


def test_rollback_to_before_an_import(world, as_user):
    c = as_user(world.a.dealer_admin)
    dealer = world.a.dealer
    # a registry the CSV formats can carry (every row has a manager and an e-mail)
    Installation.objects.filter(dealer=dealer).update(alert_emails="ops@dealer.ru", manager=world.a.other_manager,
                                                      scheme="https")
    r = upload(c, managers_csv())
    c.post(url("registry-import-apply"), {"sha256": r.context["plan"].sha256})
    first = RegistryImport.objects.get()
    assert Installation.objects.get(name="shkola-a.host-a.ru:443").alert_emails == "boss@zavod.ru;it@zavod.ru"
    page = c.get(url("registry-import"))
    assert [v.can_roll_back for v in page.context["imports"]] == [True]
    snapshot = Path(settings.DATA_DIR) / "registry-versions" / f"{first.pk}.bin"
    assert b"shkola-a" not in snapshot.read_bytes()  # kept encrypted

    r = c.post(url("registry-import-rollback", first.pk))
    plan = r.context["plan"]
    assert sorted(i.name for i in plan.removed) == ["Zavod-Novy", "cloud.novy-bank.ru:8080"]
    assert [i.name for i in plan.changed] == ["shkola-a.host-a.ru:443"] and not plan.added and plan.ok
    assert r.context["pending"]["allow_remove"] is True
    c.post(url("registry-import-apply"), {"sha256": plan.sha256})
    shkola = Installation.objects.get(name="shkola-a.host-a.ru:443")
    assert (shkola.alert_emails, shkola.manager, shkola.ping) == ("ops@dealer.ru", world.a.other_manager, False)
    assert set(Installation.objects.filter(dealer=dealer, archived_at__isnull=True).values_list("name", flat=True)) \
        == {i.name for i in world.a.installations.values()}
    assert Installation.objects.get(name="Zavod-Novy").archived_at is not None
    rollback = RegistryImport.objects.order_by("-id").first()
    assert (rollback.added, rollback.changed, rollback.removed) == (0, 1, 2)
    assert AuditEntry.objects.filter(action="import").order_by("-id").first().changes["rollback_of"] == ["", first.pk]
