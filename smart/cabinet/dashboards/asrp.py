"""B §B "Sysinfo upload to ASRP": what SMART forwarded to the vendor's reporting system and ASRP's answers
(the log of smart/reports/asrp.py)."""
from django.db.models import Count, Q
from django.db.models.functions import TruncHour
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smart.reports.models import AsrpForward

from .base import Dashboard, Panel, register

STATES = {"accepted": gettext_lazy("Accepted"), "repeat": gettext_lazy("Repeat")}


def _rows(ctx):
    return AsrpForward.objects.filter(installation__in=ctx.installations.values("pk"),
                                      created_at__gte=ctx.tr.start, created_at__lt=ctx.tr.end)


def _per_hour(ctx, condition) -> dict:
    rows = (_rows(ctx).filter(condition).annotate(t=TruncHour("created_at", tzinfo=ctx.tz)).values("t")
            .annotate(n=Count("id")).order_by("-t"))
    return {"columns": [{"key": "t", "title": _("Time"), "type": "datetime"},
                        {"key": "n", "title": _("Count per hour"), "type": "number"}],
            "rows": [{"t": r["t"], "n": r["n"]} for r in rows]}


def accepted(ctx) -> dict:
    return _per_hour(ctx, Q(state=AsrpForward.State.SENT, asrp_state="accepted"))


def not_ok(ctx) -> dict:
    return _per_hour(ctx, ~Q(response="ok") & ~Q(state=AsrpForward.State.PENDING))


def log(ctx) -> dict:
    rows = []
    for r in _rows(ctx).select_related("installation", "dealer").order_by("-created_at")[:5000]:
        state = str(STATES.get(r.asrp_state, r.asrp_state or r.get_state_display()))
        rows.append({
            "at": r.finished_at or r.created_at, "client": r.installation.name, "state": state,
            "response": r.response or ("—" if r.state == AsrpForward.State.PENDING else "error"),
            "upload_number": r.upload_number, "guid": r.asrp_guid, "dealer": r.dealer.header_value,
            "detail": r.error, "attempts": r.attempts,
            "_links": {"client": f"/installations/{r.installation_id}/"},
            "_class": "" if r.response == "ok" else "bad",
        })
    return {"columns": [
        {"key": "at", "title": _("Time"), "type": "datetime"}, {"key": "client", "title": _("Client")},
        {"key": "state", "title": _("State")}, {"key": "response", "title": _("Server response")},
        {"key": "upload_number", "title": _("Upload number")}, {"key": "guid", "title": _("Identifier")},
        {"key": "dealer", "title": "dealername"}, {"key": "attempts", "title": _("Attempts"), "type": "number"},
        {"key": "detail", "title": _("Detail")}], "rows": rows}


register(Dashboard(
    slug="asrp",
    title=gettext_lazy("Sysinfo upload to ASRP"),
    description=gettext_lazy("Sysinfo files SMART forwarded to ASRP on the dealer's behalf, and ASRP's answers"),
    variables=("manager", "client", "host"),
    default_from="now-30d",
    panels=[
        Panel("accepted", gettext_lazy("Status: Accepted"), "table", accepted, width=6,
              description=gettext_lazy("Sysinfo files ASRP accepted into processing, per hour.")),
        Panel("not-ok", gettext_lazy("Status: not “ok”"), "table", not_ok, width=6,
              description=gettext_lazy("Files ASRP did not accept (a repeat, a refusal or a failure), per hour.")),
        Panel("log", gettext_lazy("Sysinfo upload to ASRP"), "table", log, width=12, height=420,
              description=gettext_lazy(
                  "Every forward: “Repeat” means ASRP (or SMART) already has this file — no new sysinfo arrived "
                  "during the week: the scripts, the K/TE server or its authorisation need a look.")),
    ],
))
