"""The audit trail: registry changes, imports, token operations and data exports (X14)."""
from .models import AuditEntry


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def record(request, action: str, *, obj=None, object_type: str = "", object_id="", object_repr: str = "",
           changes: dict | None = None, dealer_id: int | None = None) -> AuditEntry:
    user = request.user if request.user.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)[:300]
        dealer_id = dealer_id or getattr(obj, "dealer_id", None)
    if dealer_id is None and user is not None:
        dealer_id = user.dealer_id
    return AuditEntry.objects.create(user=user, dealer_id=dealer_id, action=action, object_type=object_type,
                                     object_id=str(object_id), object_repr=object_repr[:300],
                                     changes=changes or {}, ip=client_ip(request))


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that changed (values as text, secrets never recorded)."""
    return {k: [str(before.get(k, "")), str(v)] for k, v in after.items()
            if str(before.get(k, "")) != str(v) and "password" not in k and "secret" not in k}
