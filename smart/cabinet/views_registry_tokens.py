"""Upload tokens (D §3.5 X3, X4d: issue, rotate with overlap, revoke) and the quarantine of unregistered
uploads (X4a, E7: attach to an installation or register as a new one).

A token's plain value is shown once, in the answer to the POST that created it (never stored, never
redirected to, not cached); only its sha256 and 8-character prefix are kept."""
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Max
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smart.ingest import quarantine
from smart.ingest.models import UploadAttempt
from smart.registry.models import Client, IngestToken, Installation

from . import audit, scope
from .views_registry_access import dealer_wide_admin, page, registry_view


def _tokens_with_use(qs):
    qs = qs.select_related("installation").order_by("installation__name", "-created_at", "-id")
    tokens = list(qs)
    used = dict(UploadAttempt.objects.filter(token__in=[t.pk for t in tokens]).values("token")
                .annotate(last=Max("received_at")).values_list("token", "last"))
    for token in tokens:
        token.last_used = used.get(token.pk)
    return tokens


@registry_view(scope.can_manage_installations)
def token_list(request, dealer):
    user = request.user
    legacy = _tokens_with_use(dealer.tokens.filter(installation__isnull=True)) if dealer_wide_admin(user) else None
    mine = scope.installations(user, include_archived=True).filter(dealer=dealer)
    per_installation = _tokens_with_use(dealer.tokens.filter(installation__in=mine.values("pk")))
    legacy_uses = (UploadAttempt.objects.filter(dealer=dealer, token__isnull=False, token__installation__isnull=True,
                                                http_status=200)
                   .aggregate(n=Count("id"))["n"])
    return page(request, "cabinet/registry/tokens.html", {
        "dealer": dealer, "legacy": legacy, "per_installation": per_installation, "legacy_uses": legacy_uses,
        "installations": mine.filter(archived_at__isnull=True).order_by("name"),
    })


def _installation_for(request, dealer, value):
    if not value:
        if not dealer_wide_admin(request.user):
            raise Http404
        return None
    qs = scope.installations(request.user).filter(dealer=dealer)
    return scope.get_or_deny(qs, pk=value)


def _token_for(request, dealer, pk):
    token = scope.get_or_deny(IngestToken.objects.filter(dealer=dealer).select_related("installation"), pk=pk)
    if token.is_legacy:
        if not dealer_wide_admin(request.user):
            raise Http404
    elif not scope.installations(request.user, include_archived=True).filter(pk=token.installation_id).exists():
        raise Http404
    return token


def _issued(request, dealer, token, plain, rotated=None):
    response = page(request, "cabinet/registry/token_issued.html", {
        "dealer": dealer, "token": token, "plain": plain, "rotated": rotated,
        "base_url": settings.SMART_BASE_URL.rstrip("/"),
        "example_name": token.installation.name if token.installation_id else "CLIENTNAME",
    })
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@registry_view(scope.can_manage_installations)
def token_issue(request, dealer):
    installation = _installation_for(request, dealer, request.POST.get("installation"))
    label = request.POST.get("label", "").strip()[:200]
    with transaction.atomic():
        token, plain = IngestToken.issue(dealer, installation, label=label)
        audit.record(request, "token", obj=token, changes={"issued": ["", token.prefix]})
    return _issued(request, dealer, token, plain)


@require_POST
@registry_view(scope.can_manage_installations)
def token_rotate(request, dealer, pk):
    """A new token for the same binding; the rotated one stays valid (two at once) until it is revoked,
    and any other active token of the binding is revoked now."""
    old = _token_for(request, dealer, pk)
    if old.revoked_at is not None:
        messages.error(request, _("A revoked token cannot be rotated; issue a new one."))
        return redirect("cabinet:registry-tokens")
    with transaction.atomic():
        others = IngestToken.objects.filter(dealer=dealer, installation=old.installation, revoked_at__isnull=True)
        for other in others.exclude(pk=old.pk):
            other.revoke()
            audit.record(request, "token", obj=other, changes={"revoked": ["", other.prefix]})
        token, plain = IngestToken.issue(dealer, old.installation, label=old.label)
        audit.record(request, "token", obj=token, changes={"rotated": [old.prefix, token.prefix]})
    return _issued(request, dealer, token, plain, rotated=old)


@require_POST
@registry_view(scope.can_manage_installations)
def token_revoke(request, dealer, pk):
    token = _token_for(request, dealer, pk)
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoke()
            audit.record(request, "token", obj=token, changes={"revoked": ["", token.prefix]})
        messages.success(request, _("Token %(prefix)s… revoked: uploads with it are refused from now on.")
                         % {"prefix": token.prefix})
    back = request.POST.get("next", "")
    if back.startswith("/registry/"):
        return redirect(back)
    return redirect("cabinet:registry-tokens")


# ---- quarantine ----------------------------------------------------------------------------------------

@registry_view(scope.can_manage_installations)
def quarantine_list(request, dealer):
    names = quarantine.quarantined_names(dealer)
    return page(request, "cabinet/registry/quarantine.html", {
        "dealer": dealer, "names": names,
        "installations": scope.installations(request.user).filter(dealer=dealer).order_by("name"),
    })


def _quarantined(dealer, name) -> bool:
    from smart.ingest.models import Report

    return Report.objects.filter(dealer=dealer, quarantined=True).annotate(l=Lower("name")).filter(
        l=name.lower()).exists()


@require_POST
@registry_view(scope.can_manage_installations)
def quarantine_attach(request, dealer):
    name = request.POST.get("name", "").strip()
    if not name or not _quarantined(dealer, name):
        raise Http404
    if request.POST.get("installation") == "new":
        return _attach_as_new(request, dealer, name)
    installation = scope.get_or_deny(scope.installations(request.user).filter(dealer=dealer),
                                     pk=request.POST.get("installation") or 0)
    with transaction.atomic():
        moved = quarantine.attach(dealer, name, installation)
        audit.record(request, "attach", obj=installation, changes={"alias": ["", name], "reports": ["", moved]})
    messages.success(request, _("%(name)s attached to %(inst)s: %(n)d report(s) queued for processing.")
                     % {"name": name, "inst": installation.name, "n": moved})
    return redirect("cabinet:registry-quarantine")


def _attach_as_new(request, dealer, name):
    clash = Installation.objects.filter(dealer=dealer).annotate(l=Lower("name")).filter(l=name.lower()).first()
    if clash is not None:  # an archived installation of that name: restore it rather than create a twin
        messages.error(request, _("Installation %(name)s exists but is archived: restore it, then attach.")
                       % {"name": clash.name})
        return redirect("cabinet:registry-quarantine")
    client = Client.objects.filter(dealer=dealer).annotate(l=Lower("slug")).filter(l=name.lower()).first()
    if client is not None and not scope.clients(request.user).filter(pk=client.pk).exists():
        messages.error(request, _("Client %(name)s is outside your part of the registry.") % {"name": name})
        return redirect("cabinet:registry-quarantine")
    with transaction.atomic():
        if client is None:
            installation = quarantine.attach_as_new(dealer, name)
            if request.user.branch_id and not dealer_wide_admin(request.user):
                installation.client.branch_id = request.user.branch_id
                installation.client.save(update_fields=["branch"])
            audit.record(request, "create", obj=installation.client, changes={"slug": ["", name]})
        else:
            installation = Installation.objects.create(dealer=dealer, client=client, name=name,
                                                       kind=Installation.Kind.PUSHED)
            quarantine.attach(dealer, name, installation)
        audit.record(request, "create", obj=installation, changes={"name": ["", name], "from": ["", "quarantine"]})
    messages.success(request, _("%(name)s registered as a new installation; its reports are queued for processing.")
                     % {"name": name})
    return redirect("cabinet:registry-installation-edit", pk=installation.pk)
