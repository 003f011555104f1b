"""Tenancy over EVERY URL of the project (00-product.md, D X14): a signed-in person never gets another dealer's
objects, a head never another branch's clients, a manager never another manager's clients.

The test walks `get_resolver().url_patterns` recursively, fills each path parameter with the ids (or names) of
objects the user must NOT see, requests the URL with GET and POST, and accepts only a refusal (404, 403, 405,
400, 401, a redirect) or a 200 whose body (JSON decoded, spreadsheets and zips opened) names none of the
foreign objects. Nothing foreign may change either (before/after snapshots of the foreign rows).

A URL pattern with a parameter this file does not know how to fill FAILS the test: extend FILLERS (and
PK_KINDS for `<int:pk>`) below, the one place that maps parameter names to foreign objects, rather than
skipping the URL.
"""
import inspect
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cabinet.users import World, make_user
from smart.alerts.models import Alert, MaintenanceWindow
from smart.cabinet.dashboards import REGISTRY
from smart.cabinet.models import Invitation
from smart.notify.models import Route
from smart.registry.models import Client as RegClient
from smart.registry.models import ClientContact, IngestToken, Installation, OnlineAccess, RegistryImport, Role, User

pytestmark = pytest.mark.django_db

REFUSED = {301, 302, 303, 400, 401, 403, 404, 405, 410}
# Namespaces not walked here, with the reason (each is checked below in its own way).
NOT_WALKED = {"admin": "Django admin: operators only (is_staff); test_admin_refuses_dealer_people"}


# ---------------------------------------------------------------------------------------------- foreign objects
@dataclass
class Foreign:
    """What one user must not see: ids per kind, and the texts that would reveal them."""

    clients: list = field(default_factory=list)
    installations: list = field(default_factory=list)
    accesses: list = field(default_factory=list)
    alerts: list = field(default_factory=list)
    tokens: list = field(default_factory=list)
    users: list = field(default_factory=list)
    invitations: list = field(default_factory=list)
    routes: list = field(default_factory=list)
    windows: list = field(default_factory=list)
    dealers: list = field(default_factory=list)
    branches: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    imports: list = field(default_factory=list)
    names: list = field(default_factory=list)

    def snapshot(self):
        """The foreign rows as they are: nothing a request does may change them."""
        rows = {}
        for model, ids in ((RegClient, self.clients), (Installation, self.installations),
                           (OnlineAccess, self.accesses), (Alert, self.alerts), (IngestToken, self.tokens),
                           (User, self.users), (Invitation, self.invitations), (Route, self.routes),
                           (MaintenanceWindow, self.windows), (ClientContact, self.contacts),
                           (RegistryImport, self.imports)):
            rows[model.__name__] = sorted((str(sorted(r.items()))) for r in model.objects.filter(pk__in=ids).values())
        return rows


def _alert(inst=None, access=None, dealer=None, rule="SmartReportsStale"):
    now = timezone.now()
    key = f"i{inst.pk}" if inst else (f"o{access.pk}" if access else f"d{dealer.pk}")
    obj = inst or access
    return Alert.objects.create(
        rule=rule, object_key=key, fingerprint=f"{rule}|{key}"[:40], dealer=dealer or obj.dealer,
        installation=inst, online_access=access, client=obj.client if obj else None, state="firing",
        pending_since=now - timedelta(hours=2), fired_at=now - timedelta(hours=1), last_seen_at=now,
        priority="P2", legacy_priority="K2", importance="critical", value="1",
        detail=f"detail of {obj or dealer}", labels={"name": str(obj or dealer)})


def _dealer_extras(ds):
    """Alerts, tokens, routes, maintenance windows and an invitation of one dealer set."""
    k = ds.key.upper()
    ex = {"alerts": [], "tokens": [], "routes": [], "windows": [], "invitations": [], "imports": [], "names": []}
    ex["imports"].append(RegistryImport.objects.create(dealer=ds.dealer, kind="managers", file_name=f"Импорт-{k}.csv",
                                                       file_sha256="0" * 64, encoding="utf-8", added=3).pk)
    for slug, inst in ds.installations.items():
        ex["alerts"].append(_alert(inst=inst).pk)
        ex["alerts"].append(_alert(access=ds.accesses[slug], rule="SmartOnlineQuotaLow").pk)
        token, _plain = IngestToken.issue(ds.dealer, installation=inst, label=f"Токен-{k}-{slug}")
        ex["tokens"].append(token.pk)
        ex["names"].append(f"Токен-{k}-{slug}")
    ex["alerts"].append(_alert(dealer=ds.dealer, rule="SmartInstallationsCount").pk)
    legacy, _plain = IngestToken.issue(ds.dealer, label=f"Общий-токен-{k}")
    ex["tokens"].append(legacy.pk)
    ex["routes"].append(Route.objects.create(dealer=ds.dealer, name=f"Маршрут-{k}-Почта", channel="email",
                                             target=f"route-{ds.key}@example.test").pk)
    now = timezone.now()
    inst = ds.installations[ds.branch_client.slug]
    ex["windows"].append(MaintenanceWindow.objects.create(dealer=ds.dealer, installation=inst, starts_at=now,
                                                          ends_at=now + timedelta(hours=3),
                                                          comment=f"Работы-{k}-Плановые").pk)
    ex["invitations"].append(Invitation.objects.create(
        dealer=ds.dealer, email=f"invitee-{ds.key}@example.test", role=Role.MANAGER, full_name=f"Приглашённый {k}",
        token_hash=Invitation.hash(f"invite-{ds.key}"), expires_at=now + timedelta(days=3)).pk)
    ex["names"] += [f"Импорт-{k}.csv", f"Маршрут-{k}-Почта", f"Работы-{k}-Плановые", f"invitee-{ds.key}@example.test",
                    f"route-{ds.key}@example.test"]
    return ex


def _of_clients(ds, clients, extras):
    """The objects of some of a dealer's clients (for a head or a manager of that dealer)."""
    f = Foreign()
    for c in clients:
        inst, acc = ds.installations[c.slug], ds.accesses[c.slug]
        f.clients.append(c.pk)
        f.installations.append(inst.pk)
        f.accesses.append(acc.pk)
        f.alerts += list(Alert.objects.filter(installation=inst).values_list("pk", flat=True))
        f.alerts += list(Alert.objects.filter(online_access=acc).values_list("pk", flat=True))
        f.names += [c.display_name, c.legal_name, inst.name, acc.login]
        contact = ClientContact.objects.get_or_create(client=c, name=f"Контакт-{c.slug}",
                                                      defaults={"phone": "+7 900 000-00-00"})[0]
        f.contacts.append(contact.pk)
        f.names.append(contact.name)
    return f


def _whole_dealer(ds, extras):
    f = _of_clients(ds, ds.clients, extras)
    f.alerts = sorted(set(f.alerts) | set(extras["alerts"]))
    f.tokens, f.routes, f.windows, f.invitations, f.imports = (
        extras[k] for k in ("tokens", "routes", "windows", "invitations", "imports"))
    f.users = [u.pk for u in (ds.dealer_admin, ds.head, ds.manager, ds.other_manager, ds.technician)]
    f.dealers, f.branches = [ds.dealer.pk], [ds.branch.pk]
    f.names += ds.names + extras["names"]
    return f


def _merge(a: Foreign, b: Foreign) -> Foreign:
    return Foreign(**{k: sorted(set(getattr(a, k)) | set(getattr(b, k))) for k in Foreign.__dataclass_fields__})


@pytest.fixture
def tenancy(world: World):
    extras = {ds.key: _dealer_extras(ds) for ds in (world.a, world.b)}
    other_dealer = _whole_dealer(world.b, extras["b"])
    a = world.a
    outside_branch = _of_clients(a, [a.other_manager_client, a.unmanaged_client], extras["a"])
    not_mine = _of_clients(a, [a.other_manager_client, a.unmanaged_client], extras["a"])
    not_mine.users = [a.other_manager.pk]
    everything = _merge(other_dealer, _whole_dealer(a, extras["a"]))
    return {
        "anonymous": (None, everything),
        Role.DEALER_ADMIN: (a.dealer_admin, other_dealer),
        Role.TECHNICIAN: (a.technician, other_dealer),
        Role.HEAD: (a.head, _merge(other_dealer, outside_branch)),
        Role.MANAGER: (a.manager, _merge(other_dealer, not_mine)),
    }


# ------------------------------------------------------------------------------ parameter mapping (ONE place)
# `<int:pk>`: which kind of object, by the path segment before it (`clients/<int:pk>/...`), else by the URL's
# name (first match wins).
PK_SEGMENTS = {"clients": "clients", "installations": "installations", "online": "accesses", "alerts": "alerts",
               "tokens": "tokens", "users": "users", "managers": "users", "invitations": "invitations",
               "routes": "routes", "maintenance": "windows", "agent": "installations", "contacts": "contacts",
               "import": "imports"}
PK_KINDS = [
    ("invitation", "invitations"), ("token", "tokens"), ("route", "routes"), ("maintenance", "windows"),
    ("user", "users"), ("alert", "alerts"), ("online", "accesses"), ("client", "clients"),
    ("installation", "installations"), ("batch-upload", "installations"), ("bundle", "installations"),
    ("contact", "clients"),  # registry-contact-add/-delete: clients/<pk>/contacts/...
    ("security-pack", "clients"),  # reports: clients/<pk>/security-pack.pdf
]


def _pk(name, kw, f: Foreign, route=""):
    segment = re.search(r"([\w-]+)/<int:pk>", route)
    if segment and segment.group(1) in PK_SEGMENTS:
        return getattr(f, PK_SEGMENTS[segment.group(1)])
    for part, kind in PK_KINDS:
        if part in name:
            return getattr(f, kind)
    raise LookupError(f"<pk> of URL {name!r}: add its object kind to PK_KINDS")


def _dash_slugs(name, kw, f):
    return list(REGISTRY)


def _panel_keys(name, kw, f):
    return [p.key for p in REGISTRY[kw["slug"]].panels]


def _alert_actions(name, kw, f):
    from smart.cabinet.views_alerts import LABELS

    return list(LABELS)


def _runbook_names(name, kw, f):
    from smart.alerts.catalogue import load

    return sorted(load())[:3]


def _bad_tokens(name, kw, f):
    # Signed links and invitations: the token IS the credential, so a foreign user holding a valid one is its
    # rightful bearer. What must hold is that a guessed one shows nothing.
    return ["not-a-valid-token-0000", "aW52aXRlLWI.Zm9yZ2Vk.c2lnbmF0dXJl"]


def _file_names(name, kw, f):
    return [f"{n}.zip" for n in f.names if ".host-" in n][:2]


FILLERS = {
    "pk": _pk,
    "id": _pk,
    "installation_id": lambda name, kw, f: f.installations,
    "client_id": lambda name, kw, f: f.clients,
    "slug": _dash_slugs,  # dashboards (and starring them); foreign data comes through the variables below
    "key": _panel_keys,
    "fmt": lambda name, kw, f: ["csv", "xlsx", "pdf", "docx"],  # combinations a converter refuses are dropped
    "kind": lambda name, kw, f: ["managers", "online"],  # registry export: the user's own registry only
    "action": _alert_actions,
    "name": lambda name, kw, f: _runbook_names(name, kw, f) if "runbook" in name else _file_names(name, kw, f),
    "token": _bad_tokens,
    "contact_pk": lambda name, kw, f: f.contacts,
}
# The order parameters are filled in (`key` needs `slug`).
ORDER = ["slug", "key"]


def dashboard_query(f: Foreign) -> dict:
    """Dashboard variables naming foreign objects: the panels must ignore them, never show them."""
    return {"var-client": f.clients, "var-host": f.installations, "var-login": f.accesses,
            "var-dealer": f.dealers, "var-branch": f.branches, "var-manager": f.users, "from": "now-30d"}


# ------------------------------------------------------------------------------------------------ the walk
def patterns(resolvers=None, prefix="", ns=""):
    """(namespace:name, route, parameter names, callback) of every URL pattern."""
    for p in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            child_ns = ":".join(x for x in (ns, p.namespace) if x)
            if p.namespace in NOT_WALKED:
                continue
            yield from patterns(p.url_patterns, prefix + str(p.pattern), child_ns)
        elif isinstance(p, URLPattern):
            full = ":".join(x for x in (ns, p.name) if x) if p.name else None
            yield full, prefix + str(p.pattern), list(p.pattern.converters), p.callback


def _values(param, name, route, kw, f):
    filler = FILLERS[param]
    if "route" in inspect.signature(filler).parameters:
        return filler(name or "", kw, f, route=route)
    return filler(name or "", kw, f)


def fill(name, params, f: Foreign, route=""):
    """Every combination of foreign values for the parameters (a few per parameter) that makes a URL."""
    combos = [{}]
    for param in sorted(params, key=lambda p: ORDER.index(p) if p in ORDER else len(ORDER)):
        if param not in FILLERS:
            raise LookupError(f"URL {name!r}: no filler for <{param}>: add one to FILLERS")
        combos = [dict(kw, **{param: v}) for kw in combos for v in _values(param, name, route, kw, f)[:4]]
    urls = []
    for kw in combos:
        try:
            urls.append((kw, reverse(name, kwargs=kw)))
        except NoReverseMatch:
            continue  # e.g. fmt=pdf where the converter takes csv|xlsx
    if combos and not urls:
        raise LookupError(f"URL {name!r}: none of the filled values {combos[:2]} makes a URL: fix its FILLERS")
    return urls


def body_text(resp) -> str:
    raw = b"".join(resp.streaming_content) if resp.streaming else resp.content
    ctype = resp.get("Content-Type", "")
    if "json" in ctype:
        try:
            return json.dumps(json.loads(raw), ensure_ascii=False)
        except ValueError:
            pass
    if raw[:2] == b"PK":  # xlsx, zip bundles: every member's text
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return raw.decode("utf-8", "replace")


def _check(role, user, f: Foreign, failures, counts):
    c = Client()
    for name, route, params, _cb in patterns():
        if name is None:
            failures.append(f"{route}: unnamed URL pattern (name it so it can be reversed)")
            continue
        try:
            urls = fill(name, params, f, route)
        except LookupError as exc:
            failures.append(str(exc))
            continue
        for kw, url in urls:
            query = dashboard_query(f) if name.startswith("cabinet:") and "slug" in kw else {}
            for method in ("get", "post"):
                if user is not None and "_auth_user_id" not in c.session:
                    c.force_login(user)  # a sign-out (or a POST that ended the session) must not end the walk
                resp = getattr(c, method)(url, query if method == "get" else {})
                counts[resp.status_code] = counts.get(resp.status_code, 0) + 1
                if resp.status_code in REFUSED:
                    continue
                if resp.status_code != 200:
                    failures.append(f"{role} {method.upper()} {url}: unexpected {resp.status_code}")
                    continue
                text = body_text(resp)
                leaked = [n for n in f.names if n and n in text]
                if leaked:
                    failures.append(f"{role} {method.upper()} {url}: shows {leaked[:4]}")


@pytest.mark.parametrize("role", ["anonymous", Role.DEALER_ADMIN, Role.TECHNICIAN, Role.HEAD, Role.MANAGER])
def test_no_url_shows_or_changes_foreign_objects(tenancy, role):
    user, foreign = tenancy[role]
    before = foreign.snapshot()
    failures, counts = [], {}
    _check(role, user, foreign, failures, counts)
    assert not failures, "\n".join(failures[:60])
    assert foreign.snapshot() == before, "a request changed another dealer's (or manager's) objects"
    if user is None:  # signed out: sent to the login page
        assert counts.get(302, 0) > 100, counts
    else:  # the walk really requested pages, and refused the foreign ones
        assert counts.get(200, 0) > 20 and counts.get(404, 0) > 10, counts


def test_every_url_parameter_has_a_filler(tenancy):
    """Runs fast and names each URL the tenancy walk cannot fill (a new page must be added to the mapping)."""
    _user, f = tenancy[Role.MANAGER]
    missing = []
    for name, route, params, _cb in patterns():
        try:
            if not fill(name, params, f, route):
                missing.append(f"{route}: no value to fill")
        except LookupError as exc:
            missing.append(str(exc))
    assert not missing, "\n".join(missing)


def test_mapping_catches_a_new_pattern(tenancy):
    """The guard itself: an unknown parameter or pk kind is reported, not skipped."""
    _user, f = tenancy[Role.MANAGER]
    with pytest.raises(LookupError, match="no filler for <gizmo_id>"):
        fill("cabinet:gizmo", ["gizmo_id"], f)
    with pytest.raises(LookupError, match="PK_KINDS"):
        fill("cabinet:gizmo-edit", ["pk"], f)


def test_foreign_names_are_shown_to_their_own_people(tenancy, world):
    """The other side of the check: the names the walk looks for do appear where they belong, so their absence
    above means something."""
    c = Client()
    c.force_login(world.b.dealer_admin)
    inst = world.b.installations[world.b.branch_client.slug]
    found = False
    for name, route, params, _cb in patterns():
        if name in ("cabinet:installation", "cabinet:registry-installation", "cabinet:registry-clients"):
            url = reverse(name, kwargs={"pk": inst.pk} if params else {})
            text = c.get(url).content.decode()
            found |= inst.name in text or world.b.branch_client.display_name in text
    assert found


def test_admin_refuses_dealer_people(world):
    c = Client()
    c.force_login(world.a.dealer_admin)
    r = c.get("/admin/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    for model in ("registry/client", "registry/installation", "cabinet/auditentry"):
        assert c.get(f"/admin/{model}/").status_code == 302


def test_operator_sees_every_dealer(world, tenancy):
    """Operators are the one role that crosses dealers (a check the filter above cannot make for them)."""
    c = Client()
    c.force_login(world.operator)
    text = c.get(reverse("cabinet:dashboard-variables", kwargs={"slug": next(
        s for s, d in REGISTRY.items() if "client" in d.variables)})).content.decode("unicode_escape")
    assert world.a.branch_client.display_name in text and world.b.branch_client.display_name in text


def test_a_second_manager_of_the_same_client_sees_it(world):
    """Scoping by manager is by client, not by person: two managers of one client both see it."""
    helper = make_user(Role.MANAGER, world.a.dealer, username="manager3-a")
    world.a.other_manager_client.managers.add(helper)
    c = Client()
    c.force_login(helper)
    text = c.get(reverse("cabinet:client", kwargs={"pk": world.a.other_manager_client.pk})).content.decode()
    assert world.a.other_manager_client.display_name in text
    assert c.get(reverse("cabinet:client", kwargs={"pk": world.a.branch_client.pk})).status_code == 404
