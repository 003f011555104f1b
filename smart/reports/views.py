"""`GET /metrics` for a dealer's Prometheus: `Authorization: Bearer <metrics token>` (Prometheus'
`authorization` scrape setting); the token names the dealer. No token in the URL (D §3.5 X2)."""
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .exposition import render
from .models import MetricsToken

# The classic text format every Prometheus 2.x and 3.x scrapes (generate_latest writes it).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@require_GET
def metrics(request):
    auth = request.headers.get("Authorization", "")
    plain = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    token = MetricsToken.active(plain)
    if token is None:
        resp = HttpResponse("a valid metrics token is required (Authorization: Bearer …)\n", status=401,
                            content_type="text/plain; charset=utf-8")
        resp["WWW-Authenticate"] = 'Bearer realm="smart-metrics"'
        return resp
    MetricsToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return HttpResponse(render(token.dealer), content_type=CONTENT_TYPE)


def security_pack(request, pk: int):
    """The client's IT-security pack (D X16) as a PDF, for anyone who sees the client."""
    from django.contrib.auth.views import redirect_to_login

    from smart.cabinet import scope
    from smart.cabinet.audit import record

    from .pdf import FontMissing
    from .security_pack import build

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    client = scope.get_or_deny(scope.clients(request.user).select_related("dealer"), pk=pk)
    try:
        data = build(client)
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    record(request, "export", obj=client, changes={"document": "security_pack"})
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="smart-security-pack-{client.slug}.pdf"'
    return resp


def _business_user(request):
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied

    from smart.cabinet import scope

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not scope.sees_business(request.user):
        raise PermissionDenied
    return None


def _file(data: bytes, name: str, fmt: str) -> HttpResponse:
    types = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    resp = HttpResponse(data, content_type=types[fmt])
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp


def prolongation_document(request, pk: int, fmt: str):
    """The yearly prolongation report of one client for its decision-maker (XLSX or PDF)."""
    from django.http import Http404

    from smart.cabinet import scope
    from smart.cabinet.audit import record

    from . import documents

    if (refusal := _business_user(request)) is not None:
        return refusal
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    client = scope.get_or_deny(scope.clients(request.user), pk=pk)
    params = request.POST if request.method == "POST" else request.GET
    try:
        year = int(params.get("year") or timezone.now().year)
    except ValueError:
        return HttpResponse("year must be a number", status=400, content_type="text/plain; charset=utf-8")
    report = documents.prolongation(client, year, comment=(params.get("comment") or "")[:4000])
    data = documents.prolongation_pdf(report) if fmt == "pdf" else documents.prolongation_xlsx(report)
    record(request, "export", obj=client, changes={"document": "prolongation", "year": year, "format": fmt})
    return _file(data, f"prolongation-{client.slug}-{year}", fmt)


def portfolio_document(request, pk: int):
    """A manager's month-end portfolio report (XLSX): managers get their own, heads and admins any of theirs."""
    from datetime import date

    from django.http import Http404

    from smart.cabinet import scope
    from smart.cabinet.audit import record
    from smart.registry.models import Role, User

    from . import documents

    if (refusal := _business_user(request)) is not None:
        return refusal
    manager = scope.get_or_deny(User.objects.filter(dealer__in=scope.dealers(request.user)), pk=pk)
    if request.user.role == Role.MANAGER and manager.pk != request.user.pk:
        raise Http404
    if request.user.role == Role.HEAD and request.user.branch_id and manager.branch_id != request.user.branch_id:
        raise Http404
    raw = request.GET.get("month") or timezone.now().strftime("%Y-%m")
    try:
        month = date(int(raw[:4]), int(raw[5:7]), 1)
    except ValueError:
        return HttpResponse("month must be YYYY-MM", status=400, content_type="text/plain; charset=utf-8")
    data = documents.portfolio_xlsx(manager, month, documents.portfolio(manager, month))
    record(request, "export", obj=manager, changes={"document": "portfolio", "month": raw[:7]})
    return _file(data, f"portfolio-{manager.username}-{month:%Y-%m}", "xlsx")


def searches_document(request, pk: int):
    """A client's search queries (all, or empty only with `empty=1`) for a period, as XLSX."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from smart.cabinet import scope
    from smart.cabinet.audit import record
    from smart.cabinet.context import user_zone

    from . import documents

    if (refusal := _business_user(request)) is not None:
        return refusal
    client = scope.get_or_deny(scope.clients(request.user), pk=pk)
    tz = user_zone(request.user)
    try:
        end = (datetime.fromisoformat(request.GET["to"]).replace(tzinfo=tz) if request.GET.get("to")
               else timezone.now())
        start = (datetime.fromisoformat(request.GET["from"]).replace(tzinfo=tz) if request.GET.get("from")
                 else end - timedelta(days=30))
    except ValueError:
        return HttpResponse("from/to must be ISO dates", status=400, content_type="text/plain; charset=utf-8")
    empty = request.GET.get("empty") in ("1", "true", "on")
    data = documents.searches_xlsx(client, start, end, empty_only=empty, tz=tz if isinstance(tz, ZoneInfo) else None)
    record(request, "export", obj=client, changes={"document": "searches", "empty_only": empty,
                                                   "from": start.isoformat(), "to": end.isoformat()})
    return _file(data, f"searches-{client.slug}-{start:%Y%m%d}-{end:%Y%m%d}{'-empty' if empty else ''}", "xlsx")
