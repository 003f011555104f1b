"""Every dashboard module registers itself here on import (see base.py for the framework)."""
import importlib
import pkgutil

from .base import REGISTRY, Ctx, Dashboard, Panel, register  # noqa: F401

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name != "base" and not _mod.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_mod.name}")
