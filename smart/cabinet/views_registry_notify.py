"""Alert routing pages: routes, quiet hours and escalation (NotifyPolicy), maintenance windows and the
Telegram chat binding (`/start <code>`, the same codes as `smart telegram-bind`)."""
from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smart.alerts.models import MaintenanceWindow
from smart.notify.bot import BINDING_TTL, create_binding
from smart.notify.models import Channel, NotifyPolicy, Route, TelegramBinding

from . import audit, scope
from .context import user_zone
from .forms_registry import snapshot
from .forms_registry_notify import CATEGORY_LABELS, PolicyForm, RouteForm, WindowForm
from .views_registry_access import dealer_wide_admin, page, registry_view

ROUTE_FIELDS = ("name", "channel", "target", "to_manager", "categories", "max_priority", "language", "enabled")
POLICY_FIELDS = ("time_zone", "quiet_start", "quiet_end", "morning_at", "night_delivery", "escalate_after_s",
                 "escalate_channel", "escalate_to")
WINDOW_FIELDS = ("installation", "client", "starts_at", "ends_at", "comment")


# ---- routes and the delivery policy --------------------------------------------------------------------

@registry_view(dealer_wide_admin)
def route_list(request, dealer):
    routes = list(Route.objects.filter(dealer=dealer).order_by("-enabled", "channel", "name", "id"))
    for route in routes:
        route.category_names = [str(CATEGORY_LABELS.get(c, c)) for c in route.categories]
    policy = NotifyPolicy.objects.filter(dealer=dealer).first()
    return page(request, "cabinet/registry/routes.html", {
        "dealer": dealer, "routes": routes, "policy": policy or NotifyPolicy(dealer=dealer),
        "policy_saved": bool(policy),
    })


@registry_view(dealer_wide_admin)
def route_edit(request, dealer, pk=None):
    route = scope.get_or_deny(Route.objects.filter(dealer=dealer), pk=pk) if pk is not None else None
    form = RouteForm(request.POST or None, instance=route)
    if request.method == "POST" and form.is_valid():
        creating = route is None
        before = {} if creating else snapshot(Route.objects.get(pk=route.pk), ROUTE_FIELDS)
        with transaction.atomic():
            form.instance.dealer = dealer
            obj = form.save()
            changes = audit.diff(before, snapshot(obj, ROUTE_FIELDS))
            if form.cleaned_data.get("secret"):
                changes["secret"] = ["", "(changed)"]
            if creating or changes:
                audit.record(request, "create" if creating else "update", obj=obj, changes=changes)
        messages.success(request, _("Route %(name)s saved.") % {"name": obj.name})
        return redirect("cabinet:registry-routes")
    return page(request, "cabinet/registry/form.html", {
        "dealer": dealer, "form": form, "obj": route, "kind": "route", "back": "cabinet:registry-routes",
        "title": _("Edit route %(name)s") % {"name": route.name} if route else _("New alert route"),
    })


@require_POST
@registry_view(dealer_wide_admin)
def route_delete(request, dealer, pk):
    route = scope.get_or_deny(Route.objects.filter(dealer=dealer), pk=pk)
    with transaction.atomic():
        audit.record(request, "delete", obj=route, changes={"name": [route.name, ""], "target": [route.target, ""]})
        route.delete()
    messages.success(request, _("Route %(name)s deleted.") % {"name": route.name})
    return redirect("cabinet:registry-routes")


@registry_view(dealer_wide_admin)
def policy_edit(request, dealer):
    policy = NotifyPolicy.objects.filter(dealer=dealer).first() or NotifyPolicy(dealer=dealer)
    creating = policy.pk is None
    before = {} if creating else snapshot(policy, POLICY_FIELDS)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            obj = form.save()
            changes = audit.diff(before, snapshot(obj, POLICY_FIELDS))
            if changes:
                audit.record(request, "update", obj=obj, object_repr=_("delivery policy"), changes=changes)
        messages.success(request, _("Delivery hours saved."))
        return redirect("cabinet:registry-routes")
    return page(request, "cabinet/registry/form.html", {
        "dealer": dealer, "form": form, "obj": policy, "kind": "policy", "back": "cabinet:registry-routes",
        "title": _("Quiet hours and escalation"),
    })


# ---- Telegram ------------------------------------------------------------------------------------------

@registry_view(dealer_wide_admin)
def telegram(request, dealer):
    """GET: the bound chats and open codes; POST: a new one-time code (optionally for a route)."""
    now = timezone.now()
    routes = Route.objects.filter(dealer=dealer, channel=Channel.TELEGRAM).order_by("name")
    issued = None
    if request.method == "POST":
        route = None
        if request.POST.get("route"):
            route = scope.get_or_deny(routes, pk=request.POST["route"])
        with transaction.atomic():
            issued = create_binding(dealer, route, BINDING_TTL, now=now)
            audit.record(request, "telegram", object_type="telegrambinding", object_id=issued.pk, dealer_id=dealer.pk,
                         object_repr=route.name if route else _("new Telegram route"),
                         changes={"code": ["", "issued"], "expires_at": ["", issued.expires_at.isoformat()]})
    bindings = TelegramBinding.objects.filter(dealer=dealer).select_related("route")
    response = page(request, "cabinet/registry/telegram.html", {
        "dealer": dealer, "routes": routes, "issued": issued, "hours": int(BINDING_TTL.total_seconds() // 3600),
        "bound": bindings.filter(bound_at__isnull=False).order_by("-bound_at")[:50],
        "open": bindings.filter(bound_at__isnull=True, expires_at__gt=now).order_by("-created_at"),
    })
    response["Cache-Control"] = "no-store"
    return response


# ---- maintenance windows -------------------------------------------------------------------------------

def _windows(request, dealer):
    user = request.user
    qs = MaintenanceWindow.objects.filter(dealer=dealer)
    if dealer_wide_admin(user):
        return qs
    return qs.filter(Q(installation__in=scope.installations(user, True).values("pk"))
                     | Q(client__in=scope.clients(user, True).values("pk")))


@registry_view(scope.can_manage_installations)
def window_list(request, dealer):
    now = timezone.now()
    qs = _windows(request, dealer).select_related("installation", "client")
    return page(request, "cabinet/registry/maintenance.html", {
        "dealer": dealer, "current": qs.filter(ends_at__gt=now).order_by("starts_at"),
        "past": qs.filter(ends_at__lte=now, ends_at__gt=now - timedelta(days=30)).order_by("-ends_at"), "now": now,
    })


@registry_view(scope.can_manage_installations)
def window_edit(request, dealer, pk=None):
    window = scope.get_or_deny(_windows(request, dealer), pk=pk) if pk is not None else None
    tz = user_zone(request.user)
    # Wall-clock values in the user's zone, naive: an aware value would be shown in the server's zone.
    if window is None:
        start = timezone.now().astimezone(tz).replace(second=0, microsecond=0, tzinfo=None)
        initial = {"starts_at": start, "ends_at": start + timedelta(hours=2)}
        if request.GET.get("installation"):
            initial["installation"] = request.GET["installation"]
    else:
        initial = {"starts_at": window.starts_at.astimezone(tz).replace(tzinfo=None),
                   "ends_at": window.ends_at.astimezone(tz).replace(tzinfo=None)}
    form = WindowForm(request.POST or None, instance=window, dealer=dealer, user=request.user, tz=tz,
                      whole_dealer_allowed=dealer_wide_admin(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        creating = window is None
        before = {} if creating else snapshot(MaintenanceWindow.objects.get(pk=window.pk), WINDOW_FIELDS)
        with transaction.atomic():
            form.instance.dealer = dealer
            obj = form.save()
            changes = audit.diff(before, snapshot(obj, WINDOW_FIELDS))
            if creating or changes:
                audit.record(request, "create" if creating else "update", obj=obj,
                             object_repr=str(obj.installation or obj.client or dealer), changes=changes)
        messages.success(request, _("Maintenance window saved: probe alerts of its hosts are held until it ends."))
        return redirect("cabinet:registry-maintenance")
    return page(request, "cabinet/registry/form.html", {
        "dealer": dealer, "form": form, "obj": window, "kind": "window", "back": "cabinet:registry-maintenance",
        "title": _("Edit maintenance window") if window else _("New maintenance window"),
    })


@require_POST
@registry_view(scope.can_manage_installations)
def window_end(request, dealer, pk):
    """End a window now (a future one is removed)."""
    window = scope.get_or_deny(_windows(request, dealer), pk=pk)
    now = timezone.now()
    if window.ends_at <= now:
        raise Http404
    with transaction.atomic():
        if window.starts_at >= now:
            audit.record(request, "delete", obj=window, object_repr=str(window.installation or window.client or dealer),
                         changes={"starts_at": [str(window.starts_at), ""], "ends_at": [str(window.ends_at), ""]})
            window.delete()
        else:
            audit.record(request, "update", obj=window, object_repr=str(window.installation or window.client or dealer),
                         changes={"ends_at": [str(window.ends_at), str(now)]})
            window.ends_at = now
            window.save(update_fields=["ends_at"])
    messages.success(request, _("Maintenance window ended."))
    return redirect("cabinet:registry-maintenance")
