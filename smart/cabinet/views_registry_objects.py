"""Registry pages for monitored objects: installations (technicians too) and online accesses."""
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smart.registry.models import Installation

from . import scope
from .forms_registry import INSTALLATION_FIELDS, ONLINE_FIELDS, InstallationForm, OnlineAccessForm
from .views_registry import archived_filter, page_of, save_with_audit, set_archived
from .views_registry_access import page, registry_view

SECRET_CHANGED = ["", "(changed)"]  # how a changed secret appears in the audit trail: never its value


def _installations(request, dealer):
    return scope.installations(request.user, include_archived=True).filter(dealer=dealer)


def _accesses(request, dealer):
    return scope.online_accesses(request.user, include_archived=True).filter(dealer=dealer)


# ---- installations -------------------------------------------------------------------------------------

@registry_view()
def installation_list(request, dealer):
    qs, state = archived_filter(request, _installations(request, dealer))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(client__display_name__icontains=q) | Q(client__slug__icontains=q)
                       | Q(manager__full_name__icontains=q) | Q(provider__icontains=q))
    kind = request.GET.get("kind", "")
    if kind in Installation.Kind.values:
        qs = qs.filter(kind=kind)
    qs = qs.select_related("client", "manager").order_by("name", "id")
    return page(request, "cabinet/registry/installations.html", {
        "dealer": dealer, "page": page_of(request, qs), "q": q, "state": state, "kind": kind,
        "kinds": Installation.Kind.choices, "can_edit": scope.can_manage_installations(request.user),
    })


@registry_view()
def installation_detail(request, dealer, pk):
    inst = scope.get_or_deny(_installations(request, dealer).select_related("client", "manager"), pk=pk)
    can_edit = scope.can_manage_installations(request.user)
    return page(request, "cabinet/registry/installation.html", {
        "dealer": dealer, "inst": inst, "can_edit": can_edit, "attempts": recent_uploads(inst) if can_edit else None,
        "tokens": inst.tokens.order_by("-created_at") if can_edit else None,
        "aliases": inst.aliases.order_by("name"),
    })


@registry_view(scope.can_manage_installations)
def installation_edit(request, dealer, pk=None):
    inst = scope.get_or_deny(_installations(request, dealer), pk=pk) if pk is not None else None
    initial = {}
    if inst is None and request.GET.get("client"):
        initial["client"] = request.GET["client"]
    form = InstallationForm(request.POST or None, instance=inst, dealer=dealer, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        extra = {"smartlogin_password": SECRET_CHANGED} if form.cleaned_data.get("smartlogin_password") else None
        obj, changed = save_with_audit(request, form, INSTALLATION_FIELDS, extra_changes=extra)
        if changed:
            messages.success(request, _("Installation %(name)s saved.") % {"name": obj})
        return redirect("cabinet:registry-installation", pk=obj.pk)
    return page(request, "cabinet/registry/form.html", {
        "dealer": dealer, "form": form, "obj": inst, "kind": "installation",
        "title": _("Edit installation %(name)s") % {"name": inst} if inst else _("New installation"),
        "back": "cabinet:registry-installations",
    })


@require_POST
@registry_view(scope.can_manage_installations)
def installation_archive(request, dealer, pk, archive=True):
    inst = scope.get_or_deny(_installations(request, dealer), pk=pk)
    if not archive:
        clash = Installation.objects.filter(dealer=dealer, name__iexact=inst.name, archived_at__isnull=True)
        if clash.exclude(pk=inst.pk).exists():
            messages.error(request, _("Another active installation is named %(name)s.") % {"name": inst.name})
            return redirect("cabinet:registry-installation", pk=inst.pk)
    set_archived(request, inst, archive)
    messages.success(request, (_("Installation %(name)s archived: its uploads go to quarantine and it is no "
                                 "longer probed.") if archive else _("Installation %(name)s restored."))
                     % {"name": inst})
    return redirect("cabinet:registry-installation", pk=inst.pk)


def recent_uploads(inst, limit=10):
    """The last upload attempts under the installation's names, accepted or refused, with their answer code:
    what a technician checks while deploying the scripts (D §5.5 4b)."""
    from django.db.models.functions import Lower

    from smart.ingest.models import UploadAttempt

    names = [inst.name, *inst.aliases.values_list("name", flat=True)]
    stems = Q()
    for name in names:
        stems |= Q(lname__startswith=name.lower() + ".")
    return list(UploadAttempt.objects.filter(dealer_id=inst.dealer_id).annotate(lname=Lower("file_name"))
                .filter(stems).select_related("token").order_by("-received_at", "-id")[:limit])


# ---- online accesses -----------------------------------------------------------------------------------

@registry_view()
def online_list(request, dealer):
    qs, state = archived_filter(request, _accesses(request, dealer))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(firm__icontains=q) | Q(login__icontains=q) | Q(host__icontains=q)
                       | Q(client__display_name__icontains=q) | Q(manager__full_name__icontains=q))
    qs = qs.select_related("client", "manager").order_by("firm", "login", "id")
    return page(request, "cabinet/registry/online.html", {
        "dealer": dealer, "page": page_of(request, qs), "q": q, "state": state,
        "can_edit": scope.can_manage_registry(request.user),
    })


@registry_view(scope.can_manage_registry)
def online_edit(request, dealer, pk=None):
    access = scope.get_or_deny(_accesses(request, dealer), pk=pk) if pk is not None else None
    initial = {"client": request.GET["client"]} if access is None and request.GET.get("client") else {}
    form = OnlineAccessForm(request.POST or None, instance=access, dealer=dealer, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        extra = {"password": SECRET_CHANGED} if form.cleaned_data.get("password") and access else None
        obj, changed = save_with_audit(request, form, ONLINE_FIELDS, extra_changes=extra)
        if changed:
            messages.success(request, _("Online access %(name)s saved.") % {"name": obj})
        return redirect("cabinet:registry-online")
    return page(request, "cabinet/registry/form.html", {
        "dealer": dealer, "form": form, "obj": access, "kind": "online",
        "title": _("Edit online access %(name)s") % {"name": access} if access else _("New online access"),
        "back": "cabinet:registry-online",
    })


@require_POST
@registry_view(scope.can_manage_registry)
def online_archive(request, dealer, pk, archive=True):
    access = scope.get_or_deny(_accesses(request, dealer), pk=pk)
    set_archived(request, access, archive)
    messages.success(request, (_("Online access %(name)s archived.") if archive
                               else _("Online access %(name)s restored.")) % {"name": access})
    return redirect("cabinet:registry-online")
