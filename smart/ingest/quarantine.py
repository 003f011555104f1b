"""Unregistered uploads: listed for the dealer and attached to an installation in one action (E7, X4a)."""
from django.db import transaction
from django.db.models import Count, Max
from django.db.models.functions import Lower

from smart.pipeline.queue import enqueue
from smart.registry.models import Client, Installation, InstallationAlias

from .models import PROCESSABLE_KINDS, Report



def quarantined_names(dealer) -> list[dict]:
    """One row per quarantined name: how many reports, first and last receipt."""
    rows = (
        Report.objects.filter(dealer=dealer, quarantined=True)
        .annotate(lname=Lower("name"))
        .values("lname")
        .annotate(reports=Count("id"), last=Max("received_at"), name=Max("name"))
        .order_by("-last")
    )
    return [{"name": r["name"], "reports": r["reports"], "last_received_at": r["last"]} for r in rows]


@transaction.atomic
def attach(dealer, name: str, installation: Installation) -> int:
    """Bind a quarantined name to an installation: its reports are queued, later uploads follow.

    Returns the number of reports moved out of quarantine.
    """
    if installation.dealer_id != dealer.id:
        raise ValueError("the installation belongs to another dealer")
    if installation.name.lower() != name.lower():
        InstallationAlias.objects.get_or_create(
            dealer=dealer, name=name, defaults={"installation": installation}
        )
    reports = list(
        Report.objects.filter(dealer=dealer, quarantined=True)
        .annotate(lname=Lower("name"))
        .filter(lname=name.lower())
        .order_by("received_at", "id")
    )
    for report in reports:
        report.installation = installation
        report.quarantined = False
        report.status = Report.Status.QUEUED if report.kind in PROCESSABLE_KINDS else report.status
        report.save(update_fields=["installation", "quarantined", "status"])
        if report.kind in PROCESSABLE_KINDS:
            enqueue(report)
    return len(reports)


@transaction.atomic
def attach_as_new(dealer, name: str, time_zone: str = "Europe/Moscow") -> Installation:
    """Register a quarantined name as a new pushed installation (with a client of the same name)."""
    client, _ = Client.objects.get_or_create(dealer=dealer, slug=name, defaults={"display_name": name})
    installation = Installation.objects.create(
        dealer=dealer, client=client, kind=Installation.Kind.PUSHED, name=name, time_zone=time_zone
    )
    attach(dealer, name, installation)
    return installation
