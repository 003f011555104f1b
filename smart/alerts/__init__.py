"""Alerts: the catalogue (data), evaluation of facts and check results, lifecycle, roll-ups, inhibition."""
