"""SMART: monitoring, alerting and analytics for Kodeks/Techexpert installations."""
