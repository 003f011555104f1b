"""Outward reports: the Prometheus exposition per dealer and Grafana dashboards over it (issue: integrations)."""
