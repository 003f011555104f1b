"""The dealer's curated series in the Prometheus text format (`smart/alerts/prometheus.json` names them;
`smart export-rules` writes alerting rules over the same names). Every family is read with one query over
the dealer's objects, so a scrape costs a handful of queries whatever the fleet's size."""
import json
import time
from datetime import datetime, timezone
from pathlib import Path

from django.db.models import Max
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

CATALOGUE = json.loads((Path(__file__).resolve().parent.parent / "alerts" / "prometheus.json").read_text())
METRICS = CATALOGUE["metrics"]
ONLINE_COUNTERS = ("documents", "search", "print", "export")


def _help(name: str) -> str:
    return METRICS[name]["help"]


def _gauge(name: str, extra: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, _help(name), labels=["dealer", "installation", *extra])


def _epoch(dt) -> float:
    return dt.timestamp()


class DealerCollector(Collector):
    def __init__(self, dealer, now: datetime | None = None):
        self.dealer = dealer
        self.now = now

    def collect(self):
        from smart.metrics.models import DbErrorEvent, InstallationState, LicenceState
        from smart.probes.models import CheckState, OnlineCounters
        from smart.registry.models import Installation, OnlineAccess

        dealer, code = self.dealer, self.dealer.header_value
        now = self.now or datetime.now(timezone.utc)
        insts = {i.pk: i for i in Installation.objects.filter(dealer=dealer, archived_at__isnull=True)
                 .select_related("client")}
        states = {s.installation_id: s for s in InstallationState.objects.filter(installation__in=insts)}

        info = _gauge("smart_installation_info", ["kind", "client", "provider", "version"])
        age = _gauge("smart_report_age_seconds", ["stream"])
        expected = _gauge("smart_report_expected_interval_seconds", ["stream"])
        seats_used = _gauge("smart_installation_seats_used", [])
        seats_total = _gauge("smart_installation_seats_licensed", [])
        key = _gauge("smart_installation_key_state", ["state"])
        status = _gauge("smart_status", ["series"])
        skew = _gauge("smart_clock_skew_seconds", ["stream"])
        for pk, inst in insts.items():
            st = states.get(pk)
            labels = [code, inst.name]
            info.add_metric(labels + [inst.kind, inst.client.slug, getattr(inst, "provider", "") or "",
                                      st.version if st else ""], 1)
            expected.add_metric(labels + ["sysinfo"], inst.expected_interval_s)
            expected.add_metric(labels + ["status"], inst.status_interval_s)
            if st is None:
                continue
            if st.report_time:
                age.add_metric(labels + ["sysinfo"], max(0.0, (now - st.report_time).total_seconds()))
            if st.status_observed_at:
                age.add_metric(labels + ["status"], max(0.0, (now - st.status_observed_at).total_seconds()))
            if st.seats_used is not None:
                seats_used.add_metric(labels, st.seats_used)
            if st.seats_total is not None:
                seats_total.add_metric(labels, st.seats_total)
            if st.key_state:
                key.add_metric(labels + [st.key_state], 1)
            if st.clock_skew_s is not None:
                skew.add_metric(labels + ["sysinfo"], st.clock_skew_s)
            for series, value in sorted((st.status_values or {}).items()):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    status.add_metric(labels + [series], value)
        yield from (info, age, expected, seats_used, seats_total, key, status, skew)

        db = _gauge("smart_db_error_present", ["volume", "group", "code", "message"])
        newest = {pk: st.report_time for pk, st in states.items() if st.report_time}
        for e in (DbErrorEvent.objects.filter(installation__in=insts)
                  .values("installation_id", "volume", "group", "code", "message", "last_seen")):
            if newest.get(e["installation_id"]) == e["last_seen"]:
                db.add_metric([code, insts[e["installation_id"]].name, e["volume"] or "", e["group"] or "",
                               str(e["code"] or ""), (e["message"] or "")[:200]], 1)
        yield db

        lic = _gauge("smart_licence_expiry_timestamp_seconds", ["product", "volume"])
        for row in LicenceState.objects.filter(installation__in=insts, expires_on__isnull=False).values(
                "installation_id", "product", "volume", "expires_on"):
            end = datetime.combine(row["expires_on"], datetime.max.time()).replace(tzinfo=timezone.utc)
            lic.add_metric([code, insts[row["installation_id"]].name, row["product"] or "", row["volume"] or ""],
                           int(_epoch(end)))
        yield lic

        up = GaugeMetricFamily("smart_check_up", _help("smart_check_up"),
                               labels=["dealer", "installation", "online_access", "check", "state"])
        fails = GaugeMetricFamily("smart_check_consecutive_failures", _help("smart_check_consecutive_failures"),
                                  labels=["dealer", "installation", "online_access", "check"])
        for c in CheckState.objects.filter(dealer=dealer, ok__isnull=False).values(
                "installation_id", "online_access_id", "check_type", "ok", "state", "consecutive_failures"):
            inst = insts.get(c["installation_id"])
            target = [code, inst.name if inst else "", str(c["online_access_id"] or "")]
            if c["installation_id"] and inst is None:
                continue  # an archived installation
            up.add_metric(target + [c["check_type"], c["state"] or ""], 1 if c["ok"] else 0)
            fails.add_metric(target + [c["check_type"]], c["consecutive_failures"])
        yield up
        yield fails

        accesses = {o.pk: o for o in OnlineAccess.objects.filter(dealer=dealer, archived_at__isnull=True)
                    .select_related("client")}
        oinfo = GaugeMetricFamily("smart_online_access_info", _help("smart_online_access_info"),
                                  labels=["dealer", "online_access", "client", "host", "folder"])
        left = GaugeMetricFamily("smart_online_units_left", _help("smart_online_units_left"),
                                 labels=["dealer", "online_access", "counter"])
        limit = GaugeMetricFamily("smart_online_units_limit", _help("smart_online_units_limit"),
                                  labels=["dealer", "online_access", "counter"])
        for pk, o in accesses.items():
            oinfo.add_metric([code, str(pk), o.client.slug, o.host, o.folder], 1)
        latest = (OnlineCounters.objects.filter(online_access__in=accesses).values("online_access_id")
                  .annotate(at=Max("at")))
        wanted = {(r["online_access_id"], r["at"]) for r in latest}
        rows = OnlineCounters.objects.filter(online_access__in=accesses, at__in={at for _, at in wanted})
        for row in rows:
            if (row.online_access_id, row.at) not in wanted:
                continue
            for counter in ONLINE_COUNTERS:
                value, cap = getattr(row, f"{counter}_left"), getattr(row, f"{counter}_limit")
                if value is not None:
                    left.add_metric([code, str(row.online_access_id), counter], value)
                if cap is not None:
                    limit.add_metric([code, str(row.online_access_id), counter], cap)
        yield from (oinfo, left, limit)

        scrape = GaugeMetricFamily("smart_exposition_generated_timestamp_seconds",
                                   "When SMART built this exposition.", labels=["dealer"])
        scrape.add_metric([code], round(time.time(), 3))
        yield scrape


def render(dealer, now: datetime | None = None) -> bytes:
    from prometheus_client.exposition import generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(DealerCollector(dealer, now))
    return generate_latest(registry)
