"""The dealer's home page (the first page after sign-in): is everything OK, and if not, where to look.

- installations and online accesses by state (OK / warning / failing / silent: the rule is in
  `smart.cabinet.health`);
- the firing P1/P2 alerts, with acknowledge and snooze;
- silent agents: installations whose newest report or status file is older than twice their expected
  interval (or that never sent one);
- unregistered uploads waiting in quarantine (dealer-wide roles only: attaching is their job);
- licences expiring this calendar month (in the user's time zone), per product.

Everything is read through `smart.cabinet.scope`; an operator sees every dealer, with a dealer column.
"""
import calendar
from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from smart.ingest.models import Report
from smart.metrics.models import LicenceState
from smart.registry.models import Role

from . import docs_links, health, scope
from .context import user_zone
from .views_alerts import alert_rows

LIST_LIMIT = 50  # rows per list: in an alert storm the rest is on the emergencies dashboard
QUARANTINE_URL = "/registry/quarantine/"  # the registry area's page (linked even before it exists)


def sees_quarantine(user) -> bool:
    """Attaching unregistered uploads is dealer-wide work: not for a manager or a branch head."""
    if scope.is_operator(user):
        return True
    return user.role in (Role.DEALER_ADMIN, Role.TECHNICIAN) or (user.role == Role.HEAD and not user.branch_id)


def quarantine_summary(user) -> dict:
    """Quarantined names and reports of the visible dealers (the rows smart.ingest.quarantine lists)."""
    # a quarantined report has no installation until attached (then it leaves quarantine): the NULL prefix of
    # the (installation, received_at) index holds them, not a scan of every report ever received
    rows = Report.objects.filter(installation__isnull=True, quarantined=True)
    ids = scope.dealer_ids(user)
    if ids is not None:
        rows = rows.filter(dealer_id__in=ids)
    agg = rows.aggregate(reports=Count("id"), last=Max("received_at"))
    names = rows.values("dealer_id", "name").distinct().count()
    try:
        url = reverse("cabinet:quarantine")
    except NoReverseMatch:
        url = QUARANTINE_URL
    return {"names": names, "reports": agg["reports"], "last": agg["last"], "url": url}


def month_bounds(today: date) -> tuple[date, date]:
    return today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])


def expiring_licences(installations, today: date) -> list[dict]:
    """Licences (per product and volume) whose term ends this calendar month, soonest first."""
    first, last = month_bounds(today)
    rows = (LicenceState.objects.filter(installation__in=installations.values("pk"), expires_on__gte=first,
                                        expires_on__lte=last)
            .values("installation_id", "installation__name", "installation__client__display_name",
                    "installation__dealer__code", "product", "volume", "expires_on", "seats")
            .order_by("expires_on", "installation__name", "product"))
    return [{**r, "days_left": (r["expires_on"] - today).days} for r in rows]


def home_data(user, now) -> dict:
    tz = user_zone(user)
    alerts = scope.alerts(user)
    installations = scope.installations(user)
    accesses = scope.online_accesses(user)
    inst_counts, inst_rows = health.states(
        health.installation_signs(installations), health.firing_priorities(alerts, "installation_id"), now)
    online_counts, online_rows = health.states(
        health.online_signs(accesses), health.firing_priorities(alerts, "online_access_id"), now)
    silent = sorted((r for r in inst_rows if r["silent"]),
                    key=lambda r: (r["last_sign"] is not None, r["last_sign"] or now))
    for r in silent[:LIST_LIMIT]:
        r["interval_text"] = interval_text(r["interval_s"])
    urgent = alert_rows(health.active_alerts(alerts, health.URGENT), limit=LIST_LIMIT)
    return {
        "installation_counts": inst_counts, "online_counts": online_counts,
        "urgent": urgent[:LIST_LIMIT], "urgent_total": len(urgent), "silent": silent[:LIST_LIMIT],
        "silent_total": len(silent),
        "quarantine": quarantine_summary(user) if sees_quarantine(user) else None,
        "licences": expiring_licences(installations, now.astimezone(tz).date()),
        "month": now.astimezone(tz).date(),
        "rows": {"inst": inst_rows, "online": online_rows},
    }


def interval_text(seconds: float) -> str:
    """An expected interval as people say it: "1 h", "15 min", "1 h 30 min"."""
    hours, minutes = divmod(int(seconds) // 60, 60)
    return " ".join(([gettext("%d h") % hours] if hours else []) + ([gettext("%d min") % minutes] if minutes or not hours else []))


def state_card(title, kind: str, counts: health.Counts) -> dict:
    return {"title": title, "total": counts.total, "kind": kind,
            "items": [(s, health.STATE_LABELS[s], counts.by_state[s]) for s in health.STATES]}


def shown_objects(rows: dict, show: str) -> tuple[str, str, list[dict]] | None:
    """`?show=<inst|online>-<state>`: the objects behind one tile of the state cards, by name."""
    kind, _sep, state = (show or "").partition("-")
    if kind not in rows or state not in health.STATES:
        return None
    return kind, state, sorted((r for r in rows[kind] if r["state"] == state), key=lambda r: (r["client"], r["name"]))


@login_required
def home(request):
    now = timezone.now()
    context = home_data(request.user, now)
    context |= {"now": now, "show_dealer": scope.is_operator(request.user),
                "state_cards": [state_card(_("Installations"), "inst", context["installation_counts"]),
                                state_card(_("Online accesses"), "online", context["online_counts"])],
                "shown": shown_objects(context.pop("rows"), request.GET.get("show", "")),
                "portfolio": docs_links.portfolio_links(request.user, now)}
    if context["shown"]:
        kind, state, _rows = context["shown"]
        context["shown_title"] = f"{_('Installations') if kind == 'inst' else _('Online accesses')}: " \
                                 f"{health.STATE_LABELS[state]}"
    return render(request, "cabinet/home.html", context)
