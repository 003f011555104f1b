"""Grafana dashboard JSON over the exported series, from the definitions in grafana.json."""
import json
import re
from pathlib import Path

DEFINITIONS = json.loads((Path(__file__).with_name("grafana.json")).read_text())
_METRIC = re.compile(r"\b(smart_[a-z_]+)\b")


def metric_names(expr: str) -> set[str]:
    return set(_METRIC.findall(expr))


def _variable(name: str, query: str, label: str) -> dict:
    return {"name": name, "label": label, "type": "query", "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "query": {"query": query, "refId": f"{name}-var"}, "definition": query, "refresh": 2,
            "includeAll": True, "multi": True, "allValue": ".*", "current": {"text": "All", "value": "$__all"},
            "sort": 1}


def dashboard(defn: dict) -> dict:
    panels = []
    for i, p in enumerate(defn["panels"]):
        width = 24 if p["type"] == "table" else 12
        target = {"refId": "A", "expr": p["expr"], "datasource": {"type": "prometheus", "uid": "${datasource}"},
                  "legendFormat": p.get("legend", ""), "instant": bool(p.get("instant")), "range": not p.get("instant")}
        panels.append({
            "id": i + 1, "type": p["type"], "title": p["title"], "targets": [target],
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "gridPos": {"h": 8, "w": width, "x": 0 if width == 24 else 12 * (i % 2), "y": 8 * i},
            "fieldConfig": {"defaults": {"unit": p.get("unit", "short")}, "overrides": []}, "options": {},
        })
    return {
        "uid": defn["uid"], "title": defn["title"], "tags": ["smart"], "timezone": "browser", "schemaVersion": 39,
        "version": 1, "editable": True, "time": {"from": "now-24h", "to": "now"}, "refresh": "1m",
        "templating": {"list": [
            {"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
             "current": {}, "hide": 0},
            _variable("dealer", "label_values(smart_installation_info, dealer)", "Dealer"),
            _variable("installation", 'label_values(smart_installation_info{dealer=~"$dealer"}, installation)',
                      "Installation"),
        ]},
        "panels": panels,
    }


def all_dashboards() -> list[dict]:
    return [dashboard(d) for d in DEFINITIONS["dashboards"]]
