"""Registry import and export (D §5.3 IM-2 … IM-5): a plan first, then all-or-nothing apply.

`plan_import` reads a managers.csv or online.csv file and compares it with the dealer's registry:
rows to add, rows to change (with the changed fields), objects to remove, and every error with its
line. Nothing is written. `apply_import` applies a plan without errors in one transaction and records
a RegistryImport (the file's sha256 only, never the file: IM-5).

Decisions where the spec is silent:
- An existing object keeps its client; the file decides the client only for new objects.
- A manager column matches a user of the dealer by username, then by full name (ignoring case);
  a full name shared by several users is an error. `create_managers` plans unknown names as new
  users (role manager, full name = the column, e-mail = the row's first address, no password).
- A row naming an archived object restores it (reported as a change of `archived`).
- Removal archives (never deletes), and only with `allow_remove`; clients are not archived.
- The manager of an added or changed row is added to the client's managers; nobody is removed.
"""
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import csvio
from .models import Client, Dealer, Installation, InstallationAlias, OnlineAccess, RegistryImport, Role, User

INSTALLATION_FIELDS = (
    "address", "port", "scheme", "manager", "alert_emails", "download", "upload", "process", "ping",
    "time_zone", "expected_interval_s", "asrp_period_s", "legacy_columns",
)
ONLINE_FIELDS = ("firm", "login", "password", "host", "folder", "scheme", "manager", "alert_emails")
SECRET_FIELDS = {"password"}
# Reading errors after which later lines of the file may be missing from the parse.
_LOSSY_ERRORS = {"bad_csv", "bad_quotes"}


class ImportRefused(Exception):
    """apply_import was given a plan with errors: nothing was applied."""

    def __init__(self, errors):
        super().__init__(_("The file has %(count)d error(s); nothing was applied.") % {"count": len(errors)})
        self.errors = errors


@dataclass
class Change:
    field: str
    old: object
    new: object

    @property
    def secret(self) -> bool:
        return self.field in SECRET_FIELDS

    def as_text(self) -> str:
        if self.secret:
            return _("%(field)s changed") % {"field": self.field}
        return f"{self.field}: {_plain(self.old)} -> {_plain(self.new)}"

    def as_dict(self) -> dict:
        if self.secret:
            return {"field": self.field, "secret": True}
        return {"field": self.field, "old": self.old, "new": self.new}


def _plain(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


@dataclass
class PlanItem:
    """One object to add, change or remove."""

    name: str
    line: int | None = None
    changes: list = field(default_factory=list)
    row: object = field(default=None, repr=False)
    obj: object = field(default=None, repr=False)

    @property
    def fields(self) -> list:
        return [change.field for change in self.changes]

    def as_dict(self) -> dict:
        data = {"line": self.line, "name": self.name}
        if self.changes:
            data["fields"] = self.fields
            data["changes"] = [change.as_dict() for change in self.changes]
        return data


@dataclass
class ImportPlan:
    """What an import would do (or, once applied, did). Secrets never appear in as_dict()."""

    dealer: Dealer
    kind: str | None
    file_name: str
    sha256: str
    encoding: str
    delimiter: str
    create_managers: bool = False
    parsed: csvio.ParsedFile = field(default=None, repr=False)
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    unchanged: int = 0
    errors: list = field(default_factory=list)
    new_managers: list = field(default_factory=list)
    applied: bool = False
    removals_applied: bool = False
    managers: "ManagerIndex" = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self, allow_remove: bool = False) -> dict:
        """The plan as JSON-ready data; `allow_remove` says whether removals were (or will be) applied."""
        removal_allowed = self.removals_applied or allow_remove
        return {
            "dealer": self.dealer.code,
            "kind": self.kind,
            "file": self.file_name,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "applied": self.applied,
            "added": [item.as_dict() for item in self.added],
            "changed": [item.as_dict() for item in self.changed],
            "removed": [
                {**item.as_dict(), "needs_allow_remove": not removal_allowed} for item in self.removed
            ],
            "unchanged": self.unchanged,
            "new_managers": [{"line": m["line"], "name": m["name"], "email": m["email"]} for m in self.new_managers],
            "errors": [error.as_dict() for error in self.errors],
        }


class ManagerIndex:
    """The dealer's users by lower-cased username and full name, for the manager column."""

    def __init__(self, dealer: Dealer):
        self.by_username, self.by_full_name = {}, {}
        for user in User.objects.filter(dealer=dealer).order_by("id"):
            self.add(user)

    def add(self, user: User) -> None:
        self.by_username[user.username.lower()] = user
        if user.full_name:
            self.by_full_name.setdefault(user.full_name.lower(), []).append(user)

    def find(self, text: str) -> tuple[User | None, int]:
        """(user, number of candidates): (user, 1) when found, (None, 0) unknown, (None, n) ambiguous."""
        key = text.lower()
        if key in self.by_username:
            return self.by_username[key], 1
        users = self.by_full_name.get(key, [])
        return (users[0], 1) if len(users) == 1 else (None, len(users))


def manager_label(user: User | None, dealer_users=None) -> str:
    """How a user is written in the manager column: the full name, unless that would not read back
    as this user (shared with another user, or another user's username); then the username."""
    if user is None:
        return ""
    if not user.full_name:
        return user.username
    if dealer_users is None:
        dealer_users = list(User.objects.filter(dealer_id=user.dealer_id))
    name = user.full_name.lower()
    for other in dealer_users:
        if other.pk != user.pk and name in (other.username.lower(), other.full_name.lower()):
            return user.username
    return user.full_name


def plan_import(dealer: Dealer, data: bytes, kind: str | None = None, file_name: str = "",
                create_managers: bool = False) -> ImportPlan:
    """Read a registry file and compare it with the dealer's registry; writes nothing."""
    if kind not in (None, *csvio.KINDS):
        raise ValueError(f"kind must be one of {csvio.KINDS}, not {kind!r}")
    parsed = csvio.parse(data, kind)
    plan = ImportPlan(
        dealer=dealer, kind=parsed.kind, file_name=file_name, sha256=hashlib.sha256(data).hexdigest(),
        encoding=parsed.encoding, delimiter=parsed.delimiter, create_managers=create_managers, parsed=parsed,
    )
    _compare(plan)
    return plan


def _compare(plan: ImportPlan) -> None:
    """Fill the plan's items and errors from the parsed file and the current registry."""
    _compare_rows(plan)
    plan.errors.sort(key=lambda e: e.line or 0)


def _compare_rows(plan: ImportPlan) -> None:
    parsed = plan.parsed
    plan.errors = list(parsed.errors)
    plan.added, plan.changed, plan.removed, plan.new_managers, plan.unchanged = [], [], [], [], 0
    if plan.kind is None:
        return
    plan.managers = ManagerIndex(plan.dealer)
    users = list(User.objects.filter(dealer=plan.dealer))
    for line, name, emails in parsed.manager_refs:
        _resolve_manager(plan, line, name, emails)
    if plan.kind == csvio.MANAGERS:
        existing = {i.name.lower(): i for i in plan.dealer.installations.select_related("manager")}
        aliases = {a.name.lower(): a for a in InstallationAlias.objects.filter(dealer=plan.dealer)
                   .select_related("installation")}
        diff, fields = _installation_changes, INSTALLATION_FIELDS
    else:
        existing = {(o.host.lower(), o.folder.lower(), o.login.lower()): o
                    for o in plan.dealer.online_accesses.select_related("manager")}
        aliases, diff, fields = {}, _online_changes, ONLINE_FIELDS
    for row in parsed.rows:
        obj = existing.get(row.key)
        if obj is None:
            alias = aliases.get(row.key)
            if alias is not None:
                plan.errors.append(csvio.RowError(row.line, "name_collision", _(
                    "%(name)s is already another name of installation %(other)s; rename or detach it first."
                ) % {"name": row.name, "other": alias.installation.name}))
                continue
            plan.added.append(PlanItem(name=row.label, line=row.line, row=row))
            continue
        changes = diff(plan, row, obj, users, fields)
        if obj.archived_at is not None:
            changes.append(Change("archived", True, False))
        if changes:
            plan.changed.append(PlanItem(name=row.label, line=row.line, changes=changes, row=row, obj=obj))
        else:
            plan.unchanged += 1
    if any(e.line is None or e.code in _LOSSY_ERRORS for e in parsed.errors):
        return  # some rows could not be read at all: what looks absent may only be unreadable
    in_file = parsed.keys
    for key, obj in sorted(existing.items()):
        if obj.archived_at is None and key not in in_file:
            plan.removed.append(PlanItem(name=_label(obj), obj=obj))


def _label(obj) -> str:
    if isinstance(obj, OnlineAccess):
        return f"{obj.firm} ({obj.login}@{obj.host}/{obj.folder})"
    return obj.name


def _resolve_manager(plan: ImportPlan, line: int, name: str, emails: str) -> None:
    user, candidates = plan.managers.find(name)
    if user is not None:
        return
    if candidates > 1:
        plan.errors.append(csvio.RowError(line, "ambiguous_manager", _(
            "%(count)d users of the dealer are called %(name)s; write the username instead."
        ) % {"count": candidates, "name": name}))
    elif plan.create_managers:
        if all(m["name"].lower() != name.lower() for m in plan.new_managers):
            email = csvio.parse_emails(emails)[0].split(";")[0]
            plan.new_managers.append({"line": line, "name": name, "email": email})
    else:
        plan.errors.append(csvio.RowError(line, "unknown_manager", _(
            "No user of dealer %(dealer)s is called %(name)s (username or full name); register the manager "
            "first or import with --create-managers."
        ) % {"dealer": plan.dealer.code, "name": name}))


def _manager_change(plan, row, obj, users) -> Change | None:
    user, _candidates = plan.managers.find(row.manager)
    if user is not None and user.pk == obj.manager_id:
        return None
    return Change("manager", manager_label(obj.manager, users), manager_label(user, users) if user else row.manager)


def _installation_changes(plan, row, inst, users, fields) -> list:
    changes = []
    if row.name != inst.name:
        changes.append(Change("name", inst.name, row.name))
    new = _installation_values(row)
    for name in fields:
        if name == "manager":
            change = _manager_change(plan, row, inst, users)
            if change:
                changes.append(change)
        elif name in new and new[name] != getattr(inst, name):
            changes.append(Change(name, getattr(inst, name), new[name]))
    return changes


def _online_changes(plan, row, access, users, fields) -> list:
    changes = []
    for name in fields:
        if name == "manager":
            change = _manager_change(plan, row, access, users)
            if change:
                changes.append(change)
        elif str(getattr(row, name)) != str(getattr(access, name)):
            # A secret's values are not even kept in the plan, so no repr or log can show them.
            old, new = (None, None) if name in SECRET_FIELDS else (getattr(access, name), getattr(row, name))
            changes.append(Change(name, old, new))
    return changes


def _installation_values(row: csvio.InstallationRow) -> dict:
    """The model fields a managers.csv row sets (a 9-column row leaves the intervals alone)."""
    values = {
        "kind": row.kind, "name": row.name, "address": row.address, "port": row.port, "scheme": row.scheme,
        "alert_emails": row.alert_emails, "download": row.download, "upload": row.upload,
        "process": row.process, "ping": row.ping, "time_zone": row.time_zone, "legacy_columns": row.columns,
    }
    if row.expected_interval_s is not None:
        values["expected_interval_s"] = row.expected_interval_s
    if row.asrp_period_s is not None:
        values["asrp_period_s"] = row.asrp_period_s
    return values


# ---------------------------------------------------------------- apply


def apply_import(plan: ImportPlan, allow_remove: bool = False) -> ImportPlan:
    """Apply a plan in one transaction: everything or nothing. Raises ImportRefused on errors.

    The comparison is made again inside the transaction, with the dealer row locked, so what is
    applied always matches the registry at that moment; the returned plan says what was done.
    """
    if plan.errors:
        raise ImportRefused(plan.errors)
    with transaction.atomic():
        Dealer.objects.select_for_update().filter(pk=plan.dealer.pk).first()
        _compare(plan)
        if plan.errors:
            raise ImportRefused(plan.errors)
        for new in plan.new_managers:
            plan.managers.add(_create_manager(plan.dealer, new["name"], new["email"]))
        clients = _ClientFinder(plan.dealer)
        for item in plan.added:
            _add(plan, item.row, clients)
        for item in plan.changed:
            _update(plan, item.row, item.obj)
        if allow_remove and plan.removed:
            model = Installation if plan.kind == csvio.MANAGERS else OnlineAccess
            model.objects.filter(pk__in=[item.obj.pk for item in plan.removed]).update(archived_at=timezone.now())
        RegistryImport.objects.create(
            dealer=plan.dealer, kind=plan.kind, file_name=plan.file_name[:255], file_sha256=plan.sha256,
            encoding=plan.encoding, added=len(plan.added), changed=len(plan.changed),
            removed=len(plan.removed) if allow_remove else 0,
        )
    plan.applied, plan.removals_applied = True, allow_remove
    return plan


def _manager_for(plan: ImportPlan, row) -> User:
    user, _candidates = plan.managers.find(row.manager)
    return user


def _add(plan: ImportPlan, row, clients: "_ClientFinder") -> None:
    manager = _manager_for(plan, row)
    if plan.kind == csvio.MANAGERS:
        if row.kind == csvio.PUSHED:
            client = clients.by_slug(row.name, display_name=row.name)
        else:
            client = clients.by_slug(slug_from_text(row.address), display_name=row.address)
        values = _installation_values(row)
        Installation.objects.create(dealer=plan.dealer, client=client, manager=manager, **values)
    else:
        client = clients.by_display_name(row.firm)
        OnlineAccess.objects.create(
            dealer=plan.dealer, client=client, manager=manager, **_online_values(row),
        )
    client.managers.add(manager)


def _online_values(row: csvio.OnlineRow) -> dict:
    return {name: getattr(row, name) for name in ONLINE_FIELDS if name != "manager"}


def _update(plan: ImportPlan, row, obj) -> None:
    manager = _manager_for(plan, row)
    values = _installation_values(row) if plan.kind == csvio.MANAGERS else _online_values(row)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.manager = manager
    obj.archived_at = None
    obj.save()
    obj.client.managers.add(manager)


def _create_manager(dealer: Dealer, name: str, email: str) -> User:
    base = slug_from_text(name, fallback="manager").lower()[:140]
    username, number = base, 1
    while User.objects.filter(username__iexact=username).exists():  # usernames are global
        number += 1
        username = f"{base}-{number}"
    user = User(username=username, full_name=name, email=email, dealer=dealer, role=Role.MANAGER)
    user.set_unusable_password()
    user.save()
    return user


# ---------------------------------------------------------------- clients and slugs

# Russian (and Ukrainian/Belarusian) letters to Latin, after GOST 7.79-2000 system B, simplified to
# plain ASCII letters so that the result is a valid client slug.
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "cz", "ч": "ch", "ш": "sh", "щ": "shh",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}


def transliterate(text: str) -> str:
    """Cyrillic to Latin letters (GOST 7.79 B-like); other letters lose their accents."""
    out = []
    for ch in text:
        low = ch.lower()
        if low in _TRANSLIT:
            latin = _TRANSLIT[low]
            out.append(latin.capitalize() if ch != low else latin)
        else:
            out.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii") or " ")
    return "".join(out)


def slug_from_text(text: str, fallback: str = "client") -> str:
    """A client slug (`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`) derived from any text."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", transliterate(text)).strip("-_.")
    slug = re.sub(r"-{2,}", "-", slug)[:64].rstrip("-_.")
    return slug.lower() if slug else fallback


class _ClientFinder:
    """Finds or creates the dealer's clients during one apply, so rows share new clients.

    Names are compared in Python: SQLite's case-insensitive LIKE only folds ASCII, not Cyrillic.
    """

    def __init__(self, dealer: Dealer):
        self.dealer = dealer
        self.by_slug_key, self.by_name_key = {}, {}
        # Active clients first, so an archived namesake is used only when nothing else matches.
        for client in dealer.clients.order_by(F("archived_at").asc(nulls_first=True), "id"):
            self._remember(client)

    def _remember(self, client: Client) -> None:
        self.by_slug_key.setdefault(client.slug.lower(), client)
        self.by_name_key.setdefault(client.display_name.casefold(), client)

    def _create(self, slug: str, display_name: str) -> Client:
        client = Client.objects.create(dealer=self.dealer, slug=slug, display_name=display_name[:64])
        self._remember(client)
        return client

    def by_slug(self, slug: str, display_name: str) -> Client:
        return self.by_slug_key.get(slug.lower()) or self._create(slug, display_name)

    def by_display_name(self, name: str) -> Client:
        return self.by_name_key.get(name.casefold()) or self._create(self.unique_slug(name), name)

    def unique_slug(self, name: str) -> str:
        base = slug_from_text(name)
        slug, number = base, 1
        while slug.lower() in self.by_slug_key:
            number += 1
            suffix = f"-{number}"
            slug = base[: 64 - len(suffix)] + suffix
        return slug


# ---------------------------------------------------------------- export


def export_registry(dealer: Dealer, kind: str) -> bytes:
    """The dealer's active installations (managers.csv) or online accesses (online.csv) as CSV bytes."""
    users = list(User.objects.filter(dealer=dealer))
    if kind == csvio.MANAGERS:
        rows = [
            csvio.InstallationRow(
                line=None, kind=i.kind, name=i.name, address=i.address, port=i.port, scheme=i.scheme,
                manager=manager_label(i.manager, users), alert_emails=i.alert_emails, download=i.download,
                upload=i.upload, process=i.process, ping=i.ping, time_zone=i.time_zone,
                expected_interval_s=i.expected_interval_s, asrp_period_s=i.asrp_period_s,
                columns=i.legacy_columns,
            )
            for i in dealer.installations.filter(archived_at__isnull=True).select_related("manager")
        ]
        return csvio.format_managers(rows)
    if kind == csvio.ONLINE:
        rows = [
            csvio.OnlineRow(
                line=None, firm=o.firm, login=o.login, password=str(o.password), host=o.host, folder=o.folder,
                scheme=o.scheme, manager=manager_label(o.manager, users), alert_emails=o.alert_emails,
            )
            for o in dealer.online_accesses.filter(archived_at__isnull=True).select_related("manager")
        ]
        return csvio.format_online(rows)
    raise ValueError(f"kind must be one of {csvio.KINDS}, not {kind!r}")
