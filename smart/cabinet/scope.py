"""Tenancy in one place: what a signed-in user may see and do.

Every cabinet view and API reads objects through these functions, never through a bare manager, so a
dealer never sees another dealer's data and a manager sees only their clients (00-product.md, X14):

| role          | sees                                                        |
|---------------|-------------------------------------------------------------|
| operator      | every dealer                                                |
| dealer admin  | the dealer                                                  |
| head          | the branch's clients (the whole dealer when no branch set)  |
| manager       | clients they manage (client managers, or installation /     |
|               | online-access manager)                                      |
| technician    | the dealer, technical views only                            |
"""
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from smart.registry.models import Client, Dealer, Installation, OnlineAccess, Role

BUSINESS_ROLES = {Role.OPERATOR, Role.DEALER_ADMIN, Role.HEAD, Role.MANAGER}
ADMIN_ROLES = {Role.OPERATOR, Role.DEALER_ADMIN}


def is_operator(user) -> bool:
    return bool(user.is_authenticated and (user.role == Role.OPERATOR or user.is_superuser))


def dealers(user) -> QuerySet:
    if not user.is_authenticated:
        return Dealer.objects.none()
    if is_operator(user):
        return Dealer.objects.all()
    return Dealer.objects.filter(pk=user.dealer_id)


def dealer_ids(user) -> list[int] | None:
    """None means every dealer (an operator); otherwise the visible dealers' ids."""
    if is_operator(user):
        return None
    return [user.dealer_id] if user.is_authenticated and user.dealer_id else []


def clients(user, include_archived: bool = False) -> QuerySet:
    if not user.is_authenticated:
        return Client.objects.none()
    qs = Client.objects.all() if include_archived else Client.objects.filter(archived_at__isnull=True)
    if is_operator(user):
        return qs
    qs = qs.filter(dealer_id=user.dealer_id)
    if user.role == Role.HEAD and user.branch_id:
        return qs.filter(branch_id=user.branch_id)
    if user.role == Role.MANAGER:
        mine = Q(managers=user) | Q(installations__manager=user) | Q(online_accesses__manager=user)
        return qs.filter(pk__in=Client.objects.filter(mine).values("pk"))
    return qs


def installations(user, include_archived: bool = False) -> QuerySet:
    qs = Installation.objects.filter(client__in=clients(user, include_archived).values("pk"))
    return qs if include_archived else qs.filter(archived_at__isnull=True)


def online_accesses(user, include_archived: bool = False) -> QuerySet:
    qs = OnlineAccess.objects.filter(client__in=clients(user, include_archived).values("pk"))
    return qs if include_archived else qs.filter(archived_at__isnull=True)


def alerts(user) -> QuerySet:
    """Alert instances the user may see: those of visible objects; dealer-wide roll-ups for dealer-wide roles;
    platform roll-ups for operators."""
    from smart.alerts.models import Alert

    if is_operator(user):
        return Alert.objects.all()
    if not user.is_authenticated or not user.dealer_id:
        return Alert.objects.none()
    mine = Q(installation__in=installations(user, True).values("pk")) | Q(
        online_access__in=online_accesses(user, True).values("pk"))
    if user.role in (Role.DEALER_ADMIN, Role.TECHNICIAN) or (user.role == Role.HEAD and not user.branch_id):
        mine |= Q(dealer_id=user.dealer_id, installation__isnull=True, online_access__isnull=True)
    return Alert.objects.filter(mine)


def sees_business(user) -> bool:
    """Business analytics (usage, billing, prolongation) are not for technicians."""
    return user.is_authenticated and (user.is_superuser or user.role in BUSINESS_ROLES)


def can_manage_registry(user) -> bool:
    """Create, edit and archive registry objects, tokens, users and routing."""
    return user.is_authenticated and (user.is_superuser or user.role in ADMIN_ROLES or user.role == Role.HEAD)


def can_manage_installations(user) -> bool:
    """Technicians onboard installations (D §5.5); heads and admins too."""
    return can_manage_registry(user) or (user.is_authenticated and user.role == Role.TECHNICIAN)


def get_or_deny(queryset: QuerySet, **lookup):
    """One object from a scoped queryset; 404-equivalent PermissionDenied is not used: a foreign object is
    simply not found, so its existence is not disclosed."""
    from django.http import Http404

    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied
