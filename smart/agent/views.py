"""The bundle as a download from the health card: `/agent/<installation pk>/bundle.zip?os=windows|linux`."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_POST

from smart.cabinet import scope
from smart.cabinet.audit import record

from .bundle import OS_CHOICES
from .service import bundle_zip, folder_name


@login_required
@require_POST  # it issues a token: never on a prefetch or a crawler's GET
def download(request, pk: int):
    inst = scope.get_or_deny(scope.installations(request.user), pk=pk)
    scope.require(scope.can_manage_installations(request.user))
    os_name = request.POST.get("os", "windows")
    if os_name not in OS_CHOICES:
        return HttpResponseBadRequest("os must be windows or linux")
    data, token = bundle_zip(inst, os_name, smart_url=request.build_absolute_uri("/").rstrip("/"))
    record(request, "token", obj=inst, changes={"agent_bundle": os_name, "token_prefix": token.prefix})
    resp = HttpResponse(data, content_type="application/zip")
    resp["Content-Disposition"] = f'attachment; filename="{folder_name(inst, os_name)}.zip"'
    resp["Cache-Control"] = "no-store"
    return resp
