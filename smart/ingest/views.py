"""HTTP views of the ingest app that need no streaming: the legacy presence check (F3, X5)."""
from django.db.models.functions import Lower
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from . import service
from .errors import IngestError, body
from .models import Report


def healthz(request):
    return JsonResponse({"ok": True})


def _caller(request) -> service.Caller:
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    return service.Caller(
        endpoint="files",
        source_ip=request.META.get("REMOTE_ADDR"),
        user_agent=request.headers.get("User-Agent", ""),
        token_value=token or request.headers.get("X-Smart-Token", "").strip() or request.GET.get("token", ""),
        dealer_header=request.headers.get("dealer"),
        upload_header=request.headers.get("upload"),
    )


def _refuse(caller, err: IngestError, file_name: str, head: bool):
    service.record_attempt(caller, err.http_status, err.code, file_name)
    if head:
        response = HttpResponse(status=err.http_status)
        response["X-Smart-Code"] = err.code
        return response
    return JsonResponse(body(err.code, err.detail), status=err.http_status, json_dumps_params={"ensure_ascii": False})


@require_http_methods(["HEAD", "GET"])
def file_check(request, name):
    """HEAD: 200 if a report under this name was received for the caller's dealer, else 404.

    Never serves content: GET is refused for every token (W4).
    """
    head = request.method == "HEAD"
    caller = _caller(request)
    try:
        token = service.authenticate(caller)
        if not head:
            raise IngestError("read_refused")
    except IngestError as err:
        return _refuse(caller, err, name, head)
    reports = Report.objects.filter(dealer=token.dealer).annotate(lname=Lower("file_name")).filter(lname=name.lower())
    if not token.is_legacy:
        reports = reports.filter(installation_id=token.installation_id)
    report = reports.order_by("-received_at", "-id").first()
    service.record_attempt(caller, 200 if report else 404, "found" if report else "not_found", name)
    if report is None:
        return HttpResponse(status=404)
    response = HttpResponse(status=200)
    response["X-Smart-Received-At"] = report.received_at.isoformat()
    response["X-Smart-Parse-Status"] = report.status
    response["X-Smart-Sha256"] = report.sha256
    if report.report_time:
        response["X-Smart-Report-Time"] = report.report_time.isoformat()
    return response
