"""Forwarding sysinfo to ASRP, the vendor's reporting system, on the dealer's behalf (B §B, issue 8 §3).

For each installation with the registry's `upload` flag, once per its ASRP period (604,800 s by default):
the newest distinct sysinfo SMART holds is sent through the adapter (`asrp_adapter.json`: endpoint, form,
answer mapping). A file already forwarded is never sent as new: when no newer sysinfo arrived during the
period, a `repeat` row says so (the dealer sees why: scripts broken, K/TE down, …) and nothing is sent.
Transient failures (no connection, timeouts, 5xx, 429) are retried with back-off; a 4xx other than 429
fails at once with ASRP's words. Every row is the ASRP dashboard's log.
"""
import json
import logging
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.db.models import Max

from smart.ingest.archive import object_path
from smart.ingest.models import Report
from smart.registry.models import Installation

from .models import AsrpForward

log = logging.getLogger("smart.asrp")
BACKOFF_S = (60, 300, 1800, 7200, 21600)  # then failed
ADAPTER = Path(__file__).with_name("asrp_adapter.json")


def adapter() -> dict:
    return json.loads(Path(getattr(settings, "SMART_ASRP_ADAPTER", "") or ADAPTER).read_text())


def enabled() -> bool:
    return bool(getattr(settings, "SMART_ASRP_URL", ""))


def due_installations(now: datetime):
    """Installations flagged `upload` whose last forward (sent or repeat) is older than their period."""
    last = {row["installation_id"]: row["t"] for row in AsrpForward.objects.filter(
        state__in=[AsrpForward.State.SENT, AsrpForward.State.REPEAT, AsrpForward.State.PENDING])
        .values("installation_id").annotate(t=Max("created_at"))}
    for inst in Installation.objects.filter(upload=True, archived_at__isnull=True).select_related("dealer"):
        t = last.get(inst.pk)
        if t is None or now - t >= timedelta(seconds=inst.asrp_period_s):
            yield inst


def newest_sysinfo(inst: Installation):
    return (Report.objects.filter(installation=inst, stream="sysinfo", status="ok")
            .order_by("-report_time", "-received_at").first())


def plan(now: datetime) -> list[AsrpForward]:
    """Rows for this round: one pending forward per installation with a new sysinfo, a `repeat` row for
    the ones without."""
    made = []
    for inst in due_installations(now):
        report = newest_sysinfo(inst)
        if report is None:
            continue  # nothing ever received: the staleness alerts speak for it
        done = AsrpForward.objects.filter(installation=inst, sha256=report.sha256,
                                          state__in=[AsrpForward.State.SENT, AsrpForward.State.PENDING]).exists()
        guid = _guid(report)
        if done:
            row = AsrpForward.objects.create(
                dealer=inst.dealer, installation=inst, report=report, sha256=report.sha256, report_guid=guid,
                report_time=report.report_time, created_at=now, state=AsrpForward.State.REPEAT,
                finished_at=now, response="warning", asrp_state="repeat",
                error="no new sysinfo since the last forward: not sent again")
        else:
            try:
                with transaction.atomic():
                    row = AsrpForward.objects.create(
                        dealer=inst.dealer, installation=inst, report=report, sha256=report.sha256,
                        report_guid=guid, report_time=report.report_time, created_at=now, next_attempt_at=now)
            except IntegrityError:  # another forwarder made it first
                continue
        made.append(row)
    return made


def _guid(report) -> str:
    from smart.metrics.models import Snapshot

    return (Snapshot.objects.filter(report=report).values_list("report_guid", flat=True).first() or "")[:64]


def send(row: AsrpForward, now: datetime, client: httpx.Client) -> AsrpForward:
    """One attempt; the row says what happened and when to try again."""
    cfg = adapter()
    row.attempts += 1
    try:
        data = object_path(row.sha256).read_bytes()
    except OSError as exc:
        return _finish(row, now, AsrpForward.State.FAILED, error=f"archived file missing: {exc}")
    form = {k: v.format(dealer=row.dealer.header_value) for k, v in cfg["form"].items()}
    headers = {}
    token = getattr(settings, "SMART_ASRP_TOKEN", "")
    if token:
        headers[cfg["auth_header"]] = cfg["auth_format"].format(token=token)
    url = settings.SMART_ASRP_URL.rstrip("/") + cfg["path"]
    try:
        resp = client.request(cfg["method"], url, data=form, headers=headers, timeout=cfg["timeout_s"],
                              files={cfg["file_field"]: (f"{row.installation.name}.zip", data, "application/zip")})
    except httpx.HTTPError as exc:
        return _retry(row, now, f"{type(exc).__name__}: {exc}"[:500])
    row.http_status = resp.status_code
    if resp.status_code >= 500 or resp.status_code == 429:
        return _retry(row, now, f"HTTP {resp.status_code}: {resp.text[:300]}")
    if resp.status_code >= 400:
        return _finish(row, now, AsrpForward.State.FAILED, error=f"HTTP {resp.status_code}: {resp.text[:400]}")
    try:
        answer = resp.json()
        fields = cfg["fields"]
        row.response = str(answer.get(fields["response"], ""))[:16]
        raw_state = str(answer.get(fields["state"], ""))
        row.asrp_state = cfg["states"].get(raw_state, raw_state)[:16]
        row.upload_number = str(answer.get(fields["upload_number"], "") or "")[:64]
        row.asrp_guid = str(answer.get(fields["guid"], "") or "")[:64]
    except (ValueError, AttributeError) as exc:
        return _retry(row, now, f"unreadable answer: {exc}: {resp.text[:200]}")
    return _finish(row, now, AsrpForward.State.SENT)


def _retry(row, now, error):
    if row.attempts >= len(BACKOFF_S):
        return _finish(row, now, AsrpForward.State.FAILED, error=f"gave up after {row.attempts} attempts: {error}")
    row.error = error
    row.next_attempt_at = now + timedelta(seconds=BACKOFF_S[row.attempts - 1])
    row.save()
    return row


def _finish(row, now, state, error=""):
    row.state, row.error, row.finished_at, row.next_attempt_at = state, error, now, None
    row.save()
    return row


def run_once(now: datetime | None = None, client: httpx.Client | None = None) -> list[AsrpForward]:
    """Plan this round and make every attempt that is due; returns the rows touched."""
    if not enabled():
        return []
    now = now or datetime.now(timezone.utc)
    plan(now)
    due = list(AsrpForward.objects.filter(state=AsrpForward.State.PENDING, next_attempt_at__lte=now)
               .select_related("dealer", "installation").order_by("next_attempt_at")[:500])
    own = client is None
    client = client or httpx.Client()
    try:
        return [send(row, now, client) for row in due]
    finally:
        if own:
            client.close()


class Forwarder(threading.Thread):
    """`run_once` every few minutes inside `smart serve` (when SMART_ASRP_URL is set)."""

    def __init__(self, every: float = 300):
        super().__init__(name="asrp-forwarder", daemon=True)
        self.every = every
        self.stop = threading.Event()

    def run(self):
        try:
            while not self.stop.is_set():
                try:
                    close_old_connections()
                    run_once()
                except Exception:  # noqa: BLE001 - a database hiccup must not stop forwarding
                    log.exception("ASRP forwarding round failed")
                self.stop.wait(self.every)
        finally:
            connections.close_all()
