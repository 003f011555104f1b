"""CSV import with a dry-run preview, then apply without uploading again; export of both formats (D §5.3).

Between preview and apply the uploaded file is kept encrypted (Fernet, the secret store's keys) in a temp
file of the data dir, named by a random id kept in the session together with its sha256; apply reads it,
checks the hash, plans again against the registry as it is then, and deletes it (IM-5: the file is not
retained, only its hash in RegistryImport). Files left by abandoned previews are removed after a day.
"""
import os
import secrets
import time
from pathlib import Path

from cryptography.fernet import InvalidToken
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smart.registry import csvio
from smart.registry.importer import ImportRefused, apply_import, export_registry, plan_import
from smart.registry.models import Dealer
from smart.registry.secrets import cipher

from . import audit, scope
from .views_registry_access import dealer_wide_admin, page, registry_view

SESSION_KEY = "registry_import"
MAX_BYTES = 20 * 1024 * 1024
STALE_AFTER_S = 86400
VERSIONS_KEPT = 20  # per dealer: the registry as it was before each of the last imports, for a rollback


def _store_dir() -> Path:
    path = Path(settings.DATA_DIR) / "registry-imports"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _sweep(now: float) -> None:
    for old in _store_dir().glob("*.bin"):
        try:
            if now - old.stat().st_mtime > STALE_AFTER_S:
                old.unlink()
        except OSError:
            pass


def keep(data: bytes) -> str:
    """Store the upload encrypted until apply; returns its id."""
    _sweep(time.time())
    file_id = secrets.token_hex(16)
    path = _store_dir() / f"{file_id}.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(cipher().encrypt(data))
    return file_id


def fetch(file_id: str) -> bytes | None:
    if not file_id or not file_id.isalnum():
        return None
    try:
        return cipher().decrypt((_store_dir() / f"{file_id}.bin").read_bytes())
    except (OSError, InvalidToken):  # missing, or the keys were rotated since: upload again
        return None


def _snapshot_path(import_id: int) -> Path:
    path = Path(settings.DATA_DIR) / "registry-versions"
    path.mkdir(mode=0o700, exist_ok=True)
    return path / f"{int(import_id)}.bin"


def keep_snapshot(dealer, import_id: int, data: bytes) -> None:
    """The registry's export from just before an import (IM-3: rollback), encrypted; the oldest beyond
    VERSIONS_KEPT are deleted."""
    fd = os.open(_snapshot_path(import_id), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(cipher().encrypt(data))
    for old in dealer.imports.order_by("-created_at", "-id").values_list("pk", flat=True)[VERSIONS_KEPT:]:
        _snapshot_path(old).unlink(missing_ok=True)


def read_snapshot(import_id: int) -> bytes | None:
    try:
        return cipher().decrypt(_snapshot_path(import_id).read_bytes())
    except (OSError, InvalidToken):
        return None


def forget(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending and str(pending.get("id", "")).isalnum():
        (_store_dir() / f"{pending['id']}.bin").unlink(missing_ok=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False, choices=[
        ("", gettext_lazy("decide from the columns")), (csvio.MANAGERS, "managers.csv"), (csvio.ONLINE, "online.csv")])
    create_managers = forms.BooleanField(label=gettext_lazy("Create users for unknown managers"), required=False)
    allow_remove = forms.BooleanField(label=gettext_lazy("Archive the objects that are not in the file"),
                                      required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 2**20})
        return upload


def _plan(dealer, data, pending):
    return plan_import(dealer, data, kind=pending["kind"] or None, file_name=pending["name"],
                       create_managers=pending["create_managers"])


@registry_view(dealer_wide_admin)
def import_page(request, dealer):
    """Upload (POST) shows the preview; GET shows the form (and the pending preview, if any)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        pending = {"name": form.cleaned_data["file"].name[:255], "kind": form.cleaned_data["kind"],
                   "create_managers": form.cleaned_data["create_managers"],
                   "allow_remove": form.cleaned_data["allow_remove"]}
        return _start(request, dealer, form.cleaned_data["file"].read(), pending)
    imports = list(dealer.imports.all()[:VERSIONS_KEPT])
    for version in imports:
        version.can_roll_back = _snapshot_path(version.pk).exists()
    return page(request, "cabinet/registry/import.html", {"dealer": dealer, "form": form, "imports": imports})


def _start(request, dealer, data: bytes, pending: dict):
    """Plan a file and show the preview; a plan without errors is kept pending for apply."""
    forget(request)
    pending.update({"id": "", "dealer": dealer.pk})
    plan = _plan(dealer, data, pending)
    pending["sha256"] = plan.sha256
    if plan.ok:
        pending["id"] = keep(data)
        request.session[SESSION_KEY] = pending
    return _preview(request, dealer, plan, pending)


@require_POST
@registry_view(dealer_wide_admin)
def import_rollback(request, dealer, pk):
    """Preview going back to the registry as it was before import `pk` (objects added since are archived)."""
    version = scope.get_or_deny(dealer.imports.all(), pk=pk)
    data = read_snapshot(version.pk)
    if data is None:
        messages.error(request, _("The registry from before this import is no longer kept."))
        return redirect("cabinet:registry-import")
    name = f"{dealer.name}_{version.kind}_before_{timezone.localtime(version.created_at):%Y%m%d-%H%M%S}.csv"
    return _start(request, dealer, data, {"name": name, "kind": version.kind, "create_managers": False,
                                          "allow_remove": True, "rollback_of": version.pk})


def _preview(request, dealer, plan, pending, status=200):
    response = page(request, "cabinet/registry/import_preview.html", {
        "dealer": dealer, "plan": plan, "pending": pending, "can_apply": plan.ok and not plan.applied,
        "changed_rows": [(item, "; ".join(c.as_text() for c in item.changes)) for item in plan.changed],
    })
    response.status_code = status
    return response


@require_POST
@registry_view(dealer_wide_admin)
def import_apply(request, dealer):
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("dealer") != dealer.pk or pending.get("sha256") != request.POST.get("sha256"):
        messages.error(request, _("This preview is no longer pending: upload the file again."))
        return redirect("cabinet:registry-import")
    data = fetch(pending["id"])
    if data is None:
        forget(request)
        messages.error(request, _("The uploaded file has expired: upload it again."))
        return redirect("cabinet:registry-import")
    plan = _plan(dealer, data, pending)
    if plan.sha256 != pending["sha256"]:
        forget(request)
        messages.error(request, _("The uploaded file has expired: upload it again."))
        return redirect("cabinet:registry-import")
    try:
        with transaction.atomic():  # the registry as it was before this apply, kept for a rollback
            Dealer.objects.select_for_update().filter(pk=dealer.pk).first()
            if plan.errors:
                raise ImportRefused(plan.errors)
            before = export_registry(dealer, plan.kind)
            plan = apply_import(plan, allow_remove=pending["allow_remove"])
            version = dealer.imports.order_by("-created_at", "-id").first()
        keep_snapshot(dealer, version.pk, before)
    except ImportRefused:  # the registry changed since the preview in a way that makes the file wrong now
        forget(request)
        return _preview(request, dealer, plan, pending, status=409)
    forget(request)
    archived = len(plan.removed) if plan.removals_applied else 0
    _record_objects(request, dealer, plan)
    audit.record(request, "import", object_type="registry", object_id=plan.kind, dealer_id=dealer.pk,
                 object_repr=f"{plan.file_name} ({plan.kind})", changes={
                     **({"rollback_of": ["", pending["rollback_of"]]} if pending.get("rollback_of") else {}),
                     "sha256": ["", plan.sha256], "added": ["", len(plan.added)], "changed": ["", len(plan.changed)],
                     "archived": ["", archived], "new_managers": ["", len(plan.new_managers)],
                 })
    messages.success(request, _("Imported %(file)s: %(added)d added, %(changed)d changed, %(archived)d archived, "
                                "%(unchanged)d unchanged.") % {
        "file": plan.file_name, "added": len(plan.added), "changed": len(plan.changed), "archived": archived,
        "unchanged": plan.unchanged})
    return redirect("cabinet:registry-import")


def _record_objects(request, dealer, plan) -> None:
    """One audit entry per object the import added, changed or archived, with its changed fields (secrets as
    "(changed)"), so the trail says what each import did to each object, not only how many."""
    from .models import AuditEntry

    object_type = "installation" if plan.kind == csvio.MANAGERS else "onlineaccess"
    user, ip = request.user, audit.client_ip(request)

    def entry(action, item, changes):
        obj_id = item.obj.pk if item.obj is not None else ""
        return AuditEntry(user=user, dealer=dealer, action=action, object_type=object_type, object_id=str(obj_id),
                          object_repr=item.name[:300], changes=changes, ip=ip)

    def text(value):
        return "" if value is None else str(value)

    rows = [entry("import-add", item, {"line": ["", item.line]}) for item in plan.added]
    rows += [entry("import-update", item, {c.field: ["", "(changed)"] if c.secret else [text(c.old), text(c.new)]
                                           for c in item.changes}) for item in plan.changed]
    if plan.removals_applied:
        rows += [entry("import-archive", item, {"archived": ["False", "True"]}) for item in plan.removed]
    AuditEntry.objects.bulk_create(rows, batch_size=500)


@require_POST
@registry_view(dealer_wide_admin)
def import_cancel(request, dealer):
    forget(request)
    return redirect("cabinet:registry-import")


@registry_view(dealer_wide_admin)
def export(request, dealer, kind):
    """managers.csv or online.csv as the dealers' format (UTF-8, ',', CRLF), named like the docs advise."""
    data = export_registry(dealer, kind)
    stem = {csvio.MANAGERS: "manager", csvio.ONLINE: "online"}[kind]
    name = f"{dealer.name}_{stem}_{timezone.localdate():%Y%m%d}.csv"
    audit.record(request, "export", object_type="registry", object_id=kind, dealer_id=dealer.pk, object_repr=name,
                 changes={"rows": ["", data.count(b"\r\n")]})
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"  # online.csv carries passwords
    return response
