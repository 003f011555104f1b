"""Hourly rollups, recomputed from the snapshots and events of each touched hour (never incremented),
so that any order of reports, and any reprocessing, gives the same rows."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q, Sum

from .models import COUNTERS, DailyRollup, HourlyRollup, RefusalEvent, SearchEvent, Snapshot

NO_SEATS_CODES = (2008, 4106)  # D §2.1: no free workplaces


SUMMED = ("reports", "seats_used_sum", "searches", "empty_searches", "refusals", "refusals_no_seats",
          "counted_searches", *[c for c in COUNTERS if c != "searches"])


def recompute_hours(installation, hours: set[datetime]) -> None:
    zone = ZoneInfo(installation.time_zone)
    for hour in sorted(hours):
        recompute_hour(installation, hour)
    for day in sorted({hour.astimezone(zone).date() for hour in hours}):
        recompute_day(installation, day, zone)


def recompute_day(installation, day: date, zone: ZoneInfo) -> None:
    """A local calendar day (23 or 25 hours on a DST change) from its hourly rollups."""
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    hours = HourlyRollup.objects.filter(installation=installation, hour__gte=start, hour__lt=end)
    agg = hours.aggregate(seats_used_max=Max("seats_used_max"), **{f: Sum(f) for f in SUMMED})
    if not agg["reports"] and not agg["searches"] and not agg["refusals"]:
        DailyRollup.objects.filter(installation=installation, day=day).delete()
        return
    seats_total = hours.exclude(seats_total=None).order_by("-hour").values_list("seats_total", flat=True).first()
    values = {f: agg[f] or 0 for f in SUMMED}
    values.update(seats_used_max=agg["seats_used_max"], seats_total=seats_total,
                  seats_used_sum=agg["seats_used_sum"])
    DailyRollup.objects.update_or_create(installation=installation, day=day, defaults=values)


def recompute_hour(installation, hour: datetime) -> None:
    end = hour + timedelta(hours=1)
    snaps = Snapshot.objects.filter(installation=installation, report_time__gte=hour, report_time__lt=end)
    agg = snaps.aggregate(
        reports=Count("id"), seats_used_max=Max("seats_used"), seats_used_sum=Sum("seats_used"),
        **{name: Sum(f"inc_{name}") for name in COUNTERS},
    )
    latest = snaps.exclude(seats_total=None).order_by("-report_time").values_list("seats_total", flat=True).first()
    searches = SearchEvent.objects.filter(installation=installation, at__gte=hour, at__lt=end).aggregate(
        n=Count("id"), empty=Count("id", filter=Q(results=0))
    )
    refusals = RefusalEvent.objects.filter(installation=installation, at__gte=hour, at__lt=end).aggregate(
        n=Sum("count"), no_seats=Sum("count", filter=Q(code__in=NO_SEATS_CODES) | Q(reason="no_free_seats"))
    )
    if not agg["reports"] and not searches["n"] and not refusals["n"]:
        HourlyRollup.objects.filter(installation=installation, hour=hour).delete()
        return
    values = {
        "reports": agg["reports"], "seats_used_max": agg["seats_used_max"], "seats_used_sum": agg["seats_used_sum"],
        "seats_total": latest, "searches": searches["n"] or 0, "empty_searches": searches["empty"] or 0,
        "refusals": refusals["n"] or 0, "refusals_no_seats": refusals["no_seats"] or 0,
        "counted_searches": agg["searches"] or 0,
        **{name: agg[name] or 0 for name in COUNTERS if name != "searches"},
    }
    HourlyRollup.objects.update_or_create(installation=installation, hour=hour, defaults=values)
