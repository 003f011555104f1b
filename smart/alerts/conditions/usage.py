"""`usage_in_window`: whether an object was used within the last `window_s` seconds (`expect` "any": it
was; "none": it was not).

Signals, each about one kind of object (a condition may name signals of both):
- logins (installations): a session that started in the window, or a user whose last login falls in it
  (sysinfo's connected users and user list); `smartlogin`, SMART's own probe login, never counts (D §3.3).
- db_requests (installations): DB requests counted in the window's hours (hourly rollups of the reports).
- online_searches (online accesses): a query in the search history (collected nightly).
- units_spent (online accesses): billing units spent between readings in the window: the used part
  (limit − left) of any counter grew within one vendor quota month (a raised limit is not use; a reset
  on the 1st is not either).

"none" needs evidence for the whole window: the object was read before the window began (a counter
reading, a report) and again within it. A new object, or one whose data stopped coming, is not called
unused: other alerts tell of missing data.
"""
from datetime import datetime, timedelta

from django.db.models import Count, Exists, ExpressionWrapper, F, IntegerField, Max, Min, OuterRef, Sum
from django.utils.translation import gettext as _, ngettext

from smart.metrics.models import HourlyRollup, KnownUser, SessionEvent, Snapshot
from smart.probes.models import OnlineCounters, OnlineSearch
from smart.probes.online import COUNTERS
from smart.registry.models import Installation, OnlineAccess

from . import online
from .calendar import installations

PROBE_LOGIN = "smartlogin"


def _of(rows, field: str, ids):
    """`rows` of the objects `ids`; None: of every object (a periodic pass: the caller keeps its targets,
    and a list of thousands of ids in the query costs more than the rows of objects it does not want)."""
    return rows if ids is None else rows.filter(**{f"{field}__in": ids})


def _logins(ids, start: datetime, end: datetime) -> dict[int, str]:
    sessions = (_of(SessionEvent.objects, "installation_id", ids).filter(started_at__gte=start, started_at__lte=end)
                .exclude(login__iexact=PROBE_LOGIN).values("installation_id").annotate(n=Count("id")))
    users = (_of(KnownUser.objects, "installation_id", ids).filter(last_login_at__gte=start, last_login_at__lte=end)
             .exclude(login__iexact=PROBE_LOGIN).values("installation_id").annotate(n=Count("id")))
    counts = {}
    for row in [*sessions, *users]:
        counts[row["installation_id"]] = max(counts.get(row["installation_id"], 0), row["n"])
    return {i: ngettext("%d login", "%d logins", n) % n for i, n in counts.items()}


def _db_requests(ids, start: datetime, end: datetime) -> dict[int, str]:
    rows = (_of(HourlyRollup.objects, "installation_id", ids)
            .filter(hour__gte=start.replace(minute=0, second=0, microsecond=0), hour__lte=end, db_requests__gt=0)
            .values("installation_id").annotate(n=Sum("db_requests")))
    return {r["installation_id"]: ngettext("%d DB request", "%d DB requests", r["n"]) % r["n"] for r in rows}


def _online_searches(ids, start: datetime, end: datetime) -> dict[int, str]:
    rows = (_of(OnlineSearch.objects, "online_access_id", ids).filter(at__gte=start, at__lte=end)
            .values("online_access_id").annotate(n=Count("id")))
    return {r["online_access_id"]: ngettext("%d search", "%d searches", r["n"]) % r["n"] for r in rows}


def _vendor_months(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The window cut at each vendor month start inside it (counters are reset there)."""
    cuts, edge = [], online.next_month(online.month_start(start, online.vendor_zone()))
    while edge < end:
        cuts.append(edge)
        edge = online.next_month(edge)
    bounds = [start, *cuts, end]
    return list(zip(bounds, bounds[1:]))


def _units_spent(ids, start: datetime, end: datetime) -> dict[int, str]:
    used = {k: ExpressionWrapper(F(f"{k}_limit") - F(f"{k}_left"), output_field=IntegerField()) for k in COUNTERS}
    aggregates = {**{f"lo_{k}": Min(e) for k, e in used.items()}, **{f"hi_{k}": Max(e) for k, e in used.items()}}
    spent, pieces = {}, _vendor_months(start, end)
    for a, b in pieces:
        upto = {"at__lte": b} if b == end else {"at__lt": b}
        rows = (_of(OnlineCounters.objects, "online_access_id", ids).filter(at__gte=a, **upto)
                .values("online_access_id").annotate(**aggregates))
        for row in rows:
            units = sum(row[f"hi_{k}"] - row[f"lo_{k}"] for k in COUNTERS
                        if row[f"hi_{k}"] is not None and row[f"lo_{k}"] is not None)
            spent[row["online_access_id"]] = spent.get(row["online_access_id"], 0) + units
    return {i: ngettext("%d unit spent", "%d units spent", n) % n for i, n in spent.items() if n > 0}


SIGNALS = {  # signal → (objects it is about, function (ids, start, end) → {id: evidence})
    "logins": ("installation", _logins),
    "db_requests": ("installation", _db_requests),
    "online_searches": ("online_access", _online_searches),
    "units_spent": ("online_access", _units_spent),
}


def _covered(kind: str, ids, start: datetime, end: datetime) -> set:
    """Objects read before the window began and again within it (two index look-ups per object)."""
    if kind == "installation":
        owners, rows, at = Installation.objects, Snapshot.objects.filter(installation=OuterRef("pk")), "report_time"
    else:
        owners, rows, at = OnlineAccess.objects, OnlineCounters.objects.filter(online_access=OuterRef("pk")), "at"
    return set(_of(owners, "pk", ids).filter(Exists(rows.filter(**{f"{at}__lte": start})),
                                             Exists(rows.filter(**{f"{at}__gte": start, f"{at}__lte": end})))
               .values_list("pk", flat=True))


def _window(seconds: float) -> str:
    days, rest = divmod(int(seconds), 86400)
    if not rest:
        return ngettext("%d day", "%d days", days) % days
    return ngettext("%d hour", "%d hours", int(seconds // 3600)) % int(seconds // 3600)


def usage_in_window(condition: dict, scope) -> dict:
    unknown = [s for s in condition["signals"] if s not in SIGNALS]
    if unknown or condition["expect"] not in ("any", "none"):
        raise ValueError(f"usage_in_window: unknown signal(s) {unknown} or expect {condition['expect']!r}; "
                         f"known signals: {', '.join(SIGNALS)}; expect: any, none")
    end = scope.now
    start = end - timedelta(seconds=condition["window_s"])
    window, expect_any = _window(condition["window_s"]), condition["expect"] == "any"
    found = {}
    for kind, objects, prefix in (("installation", installations, "i"), ("online_access", online.accesses, "o")):
        signals = [fn for name, (about, fn) in SIGNALS.items() if about == kind and name in condition["signals"]]
        targets = objects(scope) if signals else {}
        if not targets:
            continue
        every = (scope.installation_ids if kind == "installation" else scope.online_access_ids) is None
        ids = None if every else list(targets)  # a periodic pass asks about every object, then keeps its targets
        evidence = {}
        for signal in signals:
            for i, words in signal(ids, start, end).items():
                if i in targets:
                    evidence.setdefault(i, []).append(words)
        if expect_any:
            chosen = {i: _("used in the last %(window)s: %(what)s") % {"window": window, "what": ", ".join(words)}
                      for i, words in evidence.items()}
        else:
            chosen = {i: _("no sign of use in the last %(window)s") % {"window": window}
                      for i in (_covered(kind, ids, start, end) & targets.keys()) - set(evidence)}
        for i, detail in chosen.items():
            key = f"{prefix}{i}"
            found[key] = targets[i].observe(key, end, "used" if expect_any else "unused", detail)
    return found

