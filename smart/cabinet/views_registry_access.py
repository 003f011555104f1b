"""Who may do what in the registry UI, and which dealer a registry page works on.

Reading goes through `scope` (a manager sees their own clients, read-only). Writing:

| action                                              | who                                                     |
|-----------------------------------------------------|---------------------------------------------------------|
| clients, online accesses, users of their scope      | `scope.can_manage_registry` (operator, admin, head)     |
| installations, their tokens, quarantine, maintenance| `scope.can_manage_installations` (also technicians)     |
| dealer-wide things: CSV import/export, legacy token,| dealer-wide admins: operator, dealer admin, and a head  |
| alert routes, quiet hours, Telegram, audit trail    | without a branch (a branch head would touch other       |
|                                                     | branches' objects: RO-2)                                |

An operator works on one dealer at a time, chosen on the registry home page and kept in the session.
"""
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from smart.registry.models import Dealer, Role, User

from . import scope

SESSION_DEALER = "registry_dealer_id"


def dealer_wide_admin(user) -> bool:
    if not scope.can_manage_registry(user):
        return False
    return scope.is_operator(user) or user.role == Role.DEALER_ADMIN or (user.role == Role.HEAD and not user.branch_id)


def current_dealer(request) -> Dealer | None:
    """The dealer the registry pages work on: the user's own, or the one an operator chose."""
    user = request.user
    if not scope.is_operator(user):
        return user.dealer
    dealer_id = request.session.get(SESSION_DEALER)
    dealer = scope.dealers(user).filter(pk=dealer_id).first() if dealer_id else None
    if dealer is None:
        dealer = scope.dealers(user).order_by("code").first()
    return dealer


def registry_view(check=None):
    """A registry page: signed in, with a current dealer (an operator without dealers goes to the home page),
    and `check(user)` true (else 403). The view gets `dealer` as its second argument."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if check is not None and not check(request.user):
                raise PermissionDenied
            dealer = current_dealer(request)
            if dealer is None:
                if scope.is_operator(request.user):
                    return redirect("cabinet:registry")
                raise PermissionDenied
            return view(request, dealer, *args, **kwargs)

        return wrapper

    return decorate


def in_dealer(queryset, dealer):
    """A scoped queryset narrowed to the current dealer (an operator's scope spans every dealer)."""
    return queryset.filter(dealer=dealer)


def users(user, dealer):
    """The dealer's people this user may see and manage: a branch head, their branch only."""
    qs = User.objects.filter(dealer=dealer)
    if not scope.is_operator(user) and user.dealer_id != dealer.pk:
        return User.objects.none()
    if user.role == Role.HEAD and user.branch_id:
        qs = qs.filter(branch_id=user.branch_id)
    return qs


def assignable_roles(user) -> list[str]:
    """Roles this user may give (never operator; dealer admin only by a dealer-wide admin)."""
    roles = [Role.HEAD, Role.MANAGER, Role.TECHNICIAN]
    if dealer_wide_admin(user):
        roles.insert(0, Role.DEALER_ADMIN)
    return roles


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def page(request, template: str, context: dict):
    """render() with what every registry page's navigation needs to know of the user."""
    from django.shortcuts import render

    user = request.user
    if "back" in context:
        context.setdefault("back_label", _back_labels().get(context["back"], ""))
    context.setdefault("reg_perms", {
        "registry": scope.can_manage_registry(user), "installations": scope.can_manage_installations(user),
        "dealer_wide": dealer_wide_admin(user),
    })
    return render(request, template, context)


def _back_labels() -> dict:
    from django.utils.translation import gettext as _

    return {"cabinet:registry-clients": _("Clients"), "cabinet:registry-installations": _("Installations"),
            "cabinet:registry-online": _("Online accesses"), "cabinet:registry-users": _("Users"),
            "cabinet:registry-routes": _("Alert routing"), "cabinet:registry-maintenance": _("Maintenance windows")}
