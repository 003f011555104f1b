"""Registry pages: the registry home (dealer choice for operators), clients, and the audit trail.

Installations and online accesses are in views_registry_objects, imports in views_registry_import, tokens
and quarantine in views_registry_tokens, people in views_registry_users, alert routing in
views_registry_notify. Every list reads through `scope`; every change is written to the audit trail."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import audit, scope
from .forms_registry import CLIENT_FIELDS, CONTACT_FIELDS, ClientForm, ContactForm, snapshot
from .models import AuditEntry
from .views_registry_access import SESSION_DEALER, dealer_wide_admin, page, registry_view

PAGE_SIZE = 50


def page_of(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def archived_filter(request, queryset):
    """`?state=archived` shows archived objects, `all` both, else the active ones."""
    state = request.GET.get("state", "active")
    if state == "archived":
        return queryset.filter(archived_at__isnull=False), state
    if state == "all":
        return queryset, state
    return queryset.filter(archived_at__isnull=True), "active"


def save_with_audit(request, form, fields, *, extra_changes=None):
    """Save a bound, valid ModelForm and record create/update with the changed fields."""
    obj = form.instance
    creating = obj.pk is None
    before = {} if creating else snapshot(type(obj).objects.get(pk=obj.pk), fields)
    with transaction.atomic():
        obj = form.save()
        changes = audit.diff(before, snapshot(obj, fields))
        changes.update(extra_changes or {})
        if not creating and not changes:
            return obj, False
        audit.record(request, "create" if creating else "update", obj=obj, changes=changes)
    return obj, True


def set_archived(request, obj, archived: bool):
    """Archive (or restore) an object, recorded in the audit trail."""
    if (obj.archived_at is not None) == archived:
        return
    with transaction.atomic():
        old = obj.archived_at
        obj.archived_at = timezone.now() if archived else None
        obj.save(update_fields=["archived_at"])
        audit.record(request, "archive" if archived else "restore", obj=obj,
                     changes={"archived_at": [str(old or ""), str(obj.archived_at or "")]})


# ---- the registry home ---------------------------------------------------------------------------------

@registry_view()
def home(request, dealer):
    user = request.user
    clients = scope.clients(user).filter(dealer=dealer)
    counts = {
        "clients": clients.count(),
        "installations": scope.installations(user).filter(dealer=dealer).count(),
        "online_accesses": scope.online_accesses(user).filter(dealer=dealer).count(),
    }
    if scope.can_manage_installations(user):
        from smart.ingest.quarantine import quarantined_names

        counts["quarantine"] = len(quarantined_names(dealer))
    return page(request, "cabinet/registry/home.html", {
        "dealer": dealer, "counts": counts, "dealers": scope.dealers(user).order_by("code") if scope.is_operator(user)
        else None, "dealer_wide": dealer_wide_admin(user),
        "can_installations": scope.can_manage_installations(user),
    })


@require_POST
def choose_dealer(request):
    """An operator picks the dealer the registry pages work on."""
    if not scope.is_operator(request.user):
        raise Http404
    dealer = scope.dealers(request.user).filter(pk=request.POST.get("dealer") or 0).first()
    if dealer is None:
        raise Http404
    request.session[SESSION_DEALER] = dealer.pk
    return redirect("cabinet:registry")


# ---- clients -------------------------------------------------------------------------------------------

@registry_view()
def client_list(request, dealer):
    qs = scope.clients(request.user, include_archived=True).filter(dealer=dealer)
    qs, state = archived_filter(request, qs)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(display_name__icontains=q) | Q(slug__icontains=q) | Q(legal_name__icontains=q)
                       | Q(regnum__icontains=q))
    qs = qs.select_related("branch").prefetch_related("managers").annotate(
        n_installations=Count("installations", filter=Q(installations__archived_at__isnull=True), distinct=True),
        n_online=Count("online_accesses", filter=Q(online_accesses__archived_at__isnull=True), distinct=True),
    ).order_by("display_name", "id")
    return page(request, "cabinet/registry/clients.html", {
        "dealer": dealer, "page": page_of(request, qs), "q": q, "state": state,
        "can_edit": scope.can_manage_registry(request.user),
    })


@registry_view(scope.can_manage_registry)
def client_edit(request, dealer, pk=None):
    client = None
    if pk is not None:
        client = scope.get_or_deny(scope.clients(request.user, include_archived=True).filter(dealer=dealer), pk=pk)
    form = ClientForm(request.POST or None, instance=client, dealer=dealer, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.instance.dealer = dealer
        obj, changed = save_with_audit(request, form, CLIENT_FIELDS)
        if changed:
            messages.success(request, _("Client %(name)s saved.") % {"name": obj})
        return redirect("cabinet:registry-client", pk=obj.pk)
    return page(request, "cabinet/registry/form.html", {
        "dealer": dealer, "form": form, "obj": client, "kind": "client",
        "title": _("Edit client %(name)s") % {"name": client} if client else _("New client"),
        "back": "cabinet:registry-clients",
    })


@registry_view()
def client_detail(request, dealer, pk, contact_form=None):
    client = scope.get_or_deny(scope.clients(request.user, include_archived=True).filter(dealer=dealer), pk=pk)
    can_contacts = scope.can_manage_installations(request.user)
    return page(request, "cabinet/registry/client.html", {
        "dealer": dealer, "client": client, "contacts": client.contacts.order_by("name", "id"),
        "can_contacts": can_contacts, "contact_form": contact_form or (ContactForm() if can_contacts else None),
        "installations": scope.installations(request.user, True).filter(client=client).order_by("name"),
        "accesses": scope.online_accesses(request.user, True).filter(client=client).order_by("firm", "login"),
        "can_edit": scope.can_manage_registry(request.user),
        "can_installations": scope.can_manage_installations(request.user),
    })


@require_POST
@registry_view(scope.can_manage_registry)
def client_archive(request, dealer, pk, archive=True):
    client = scope.get_or_deny(scope.clients(request.user, include_archived=True).filter(dealer=dealer), pk=pk)
    set_archived(request, client, archive)
    if archive:
        messages.success(request, _("Client %(name)s archived; its installations and accesses stay as they are.")
                         % {"name": client})
    else:
        messages.success(request, _("Client %(name)s restored.") % {"name": client})
    return redirect("cabinet:registry-client", pk=client.pk)


@require_POST
@registry_view(scope.can_manage_installations)
def contact_add(request, dealer, pk):
    """Site contacts: technicians keep them too (they know the client's administrators)."""
    client = scope.get_or_deny(scope.clients(request.user, include_archived=True).filter(dealer=dealer), pk=pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        response = client_detail.__wrapped__(request, dealer, pk, contact_form=form)
        response.status_code = 400
        return response
    with transaction.atomic():
        form.instance.client = client
        contact = form.save()
        audit.record(request, "create", obj=contact, dealer_id=dealer.pk, object_repr=f"{client}: {contact}",
                     changes=audit.diff({}, snapshot(contact, CONTACT_FIELDS)))
    return redirect("cabinet:registry-client", pk=client.pk)


@require_POST
@registry_view(scope.can_manage_installations)
def contact_delete(request, dealer, pk, contact_pk):
    client = scope.get_or_deny(scope.clients(request.user, include_archived=True).filter(dealer=dealer), pk=pk)
    contact = scope.get_or_deny(client.contacts.all(), pk=contact_pk)
    with transaction.atomic():
        audit.record(request, "delete", obj=contact, dealer_id=dealer.pk, object_repr=f"{client}: {contact}",
                     changes=audit.diff(snapshot(contact, CONTACT_FIELDS), {k: "" for k in CONTACT_FIELDS}))
        contact.delete()
    return redirect("cabinet:registry-client", pk=client.pk)


# ---- the audit trail -----------------------------------------------------------------------------------

@registry_view(dealer_wide_admin)
def audit_list(request, dealer):
    qs = AuditEntry.objects.filter(dealer=dealer).select_related("user")
    action = request.GET.get("action", "")
    if action:
        qs = qs.filter(action=action)
    object_type = request.GET.get("type", "")
    if object_type:
        qs = qs.filter(object_type=object_type)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(user__username__icontains=q) | Q(user__full_name__icontains=q))
    kinds = AuditEntry.objects.filter(dealer=dealer)
    return page(request, "cabinet/registry/audit.html", {
        "dealer": dealer, "page": page_of(request, qs.order_by("-at", "-id")), "action": action, "type": object_type,
        "q": q, "actions": sorted(set(kinds.values_list("action", flat=True))),
        "types": sorted(set(kinds.values_list("object_type", flat=True)) - {""}),
    })

