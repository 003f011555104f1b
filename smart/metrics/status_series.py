"""The curated series kept from each .status file, defined in status_series.json (a data file, so a
new or renamed K/TE metric is a configuration change). Missing series are simply absent."""
import json
from functools import lru_cache
from pathlib import Path

from smart.formats.model import StatusReport

AGGREGATES = {"min": min, "max": max, "sum": sum}


@lru_cache(maxsize=1)
def definitions() -> dict:
    return json.loads(Path(__file__).with_name("status_series.json").read_text(encoding="utf-8"))


def curate(status: StatusReport) -> tuple[dict, dict]:
    """(values by curated name, {disk path: (free bytes, total bytes or None)}) of one status file."""
    spec = definitions()
    values = {}
    for name, series in spec["series"].items():
        wanted = series.get("labels", {})
        samples = [s.value for s in status.samples(series["metric"])
                   if s.value == s.value and all(s.labels.get(k) == v for k, v in wanted.items())]  # NaN dropped
        if samples:
            values[name] = AGGREGATES[series["agg"]](samples)
    info = spec.get("info")
    if info:
        for sample in status.samples(info["metric"]):
            for label in info["labels"]:
                if label in sample.labels:
                    values[label] = sample.labels[label]
    if status.http_status is not None:
        values["http_status"] = status.http_status
    disk = spec["disk"]
    totals = {s.labels.get(disk["label"], ""): s.value for s in status.samples(disk["total"])}
    disks = {
        s.labels.get(disk["label"], ""): (int(s.value), int(totals[p]) if (p := s.labels.get(disk["label"], "")) in totals else None)
        for s in status.samples(disk["free"])
    }
    return values, disks
