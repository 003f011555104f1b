"""Alias: the shared cabinet browser fixtures live in tests/cabinet/fixtures.py (read its docstring)."""
from cabinet.fixtures import *  # noqa: F401,F403
