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
