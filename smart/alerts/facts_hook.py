"""On-fact evaluation: once the pipeline has stored a report's outcome (pipeline.signals.report_processed),
evaluate the "on_fact" rules for that one installation, so a report's alert is raised or resolved within
its processing and not at the next periodic pass.

To keep processing fast the pass is narrowed twice: to the installation, and to the rules whose
catalogue `source` the outcome can have changed: a stored sysinfo feeds "SI", a stored status file
"SS", and every outcome (error pages, identity mismatches, parse failures included) "SYS", SMART's own
bookkeeping of uploads. Narrowing also keeps a status file from judging sysinfo-only rules at its own
(later) time, where their `max_report_age_s` would read an hour-old sysinfo as stale. A stored report
also re-evaluates the staleness rules of its stream (periodic rules, e.g. SmartXMLfileIsToOld, which
"resolves when a new distinct sysinfo is processed"): in the same pass, so an inhibitor such as
SmartXMLfileIsToOld is cleared before the rules it holds back (KodeksDBOperUpToOld) are judged. The
Count roll-ups of the selected rules are re-counted with them.

The evaluation time is the newest fact the installation has: the report's own time, or a newer state
when an older report (a closed network's backlog) arrives out of order, so that late report changes
nothing the newer state decided; never later than the wall clock (a K/TE clock running ahead). The hook
never raises: a failure is logged and processing goes on.
"""
import logging
from datetime import datetime, timezone
from functools import cache

from django.db import transaction

from smart.metrics.models import InstallationState

log = logging.getLogger("smart.alerts")
UTC = timezone.utc
STORED = "ok"
SOURCES = {"sysinfo": frozenset({"SI", "SYS"}), "status": frozenset({"SS", "SYS"})}
BOOKKEEPING = frozenset({"SYS"})


def on_report_processed(sender, installation, report, status: str = "", at: datetime | None = None, **kwargs) -> None:
    from .engine import evaluate

    stream = report.stream if status == STORED else None
    try:
        with transaction.atomic():  # a failed pass must not break a caller's transaction
            evaluate(evaluation_time(installation, report, at), installation_ids={installation.id},
                     names=rule_names(stream))
    except Exception:  # noqa: BLE001 - alerting must never fail the pipeline
        log.exception("on-fact alert evaluation failed for report %s of installation %s", report.pk, installation.pk)


def evaluation_time(installation, report, at: datetime | None) -> datetime:
    """The newest fact's time (the report's own time, its receipt when it has none), capped at now."""
    newest = [at or report.received_at]
    state = InstallationState.objects.filter(installation=installation).values_list("report_time", "status_observed_at")
    newest += [t for t in (state.first() or ()) if t is not None]
    return min(max(t for t in newest if t is not None), datetime.now(UTC))


@cache
def rule_names(stream: str | None) -> frozenset:
    """The on-fact rules fed by a stored report of `stream` (None: by an outcome without facts), the
    staleness rules of that stream, and the Count roll-ups of those."""
    from .catalogue import conditions, load

    sources = SOURCES.get(stream, BOOKKEEPING)
    rules = load().values()
    names = {r.name for r in rules if "on_fact" in r.evaluation and sources & set(r.source)}
    names |= {r.name for r in rules
              if any(c["kind"] == "staleness" and c["stream"] == stream for c in conditions(r.condition))}
    return frozenset(names | {r.name for r in rules if r.of in names})
