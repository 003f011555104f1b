"""Every catalogue alert is driven end to end by some test module of this package (its COVERS set)."""
import importlib
import pkgutil

import tests.alerts_e2e as package
from smart.alerts.catalogue import raw


def test_every_catalogue_alert_has_an_end_to_end_test():
    covered = set()
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("test_") and info.name != "test_coverage":
            covered |= set(getattr(importlib.import_module(f"{package.__name__}.{info.name}"), "COVERS", ()))
    names = {entry["name"] for entry in raw()["alerts"]}
    assert covered - names == set(), "COVERS names an alert that is not in the catalogue"
    assert sorted(names - covered) == []
