"""Shared fleets for the simulator tests (built lazily; their caches make later tests cheap)."""
import os
from datetime import date, datetime, timedelta, timezone

import pytest

from smart.simulator.fleet import Fleet

UTC = timezone.utc
SEED = int(os.environ.get("SMART_FLEET_TEST_SEED", "11"))  # other seeds must pass too
START = date(2025, 1, 1)  # now = 2026-02-01 12:00 UTC


def local(fleet: Fleet, i: int, *args) -> datetime:
    """An instant given as installation i's wall-clock time."""
    return datetime(*args, tzinfo=fleet.installation(i).zone).astimezone(UTC)


def find(fleet: Fleet, predicate) -> int:
    """The first installation matching `predicate(inst)`."""
    for i in range(fleet.size):
        if predicate(fleet.installation(i)):
            return i
    raise LookupError("no installation matches")


def variant(predicate) -> tuple[Fleet, int]:
    """A fleet big enough to hold an installation with a rare trait (SQLite, windows-1251), and its index."""
    big = Fleet(seed=SEED, installations=300, start=START)
    return big, find(big, predicate)


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    return Fleet(seed=SEED, installations=30, start=START)


@pytest.fixture(scope="module")
def small() -> Fleet:
    return Fleet(seed=SEED, installations=6, start=START)


def hours(start: datetime, count: int, step: timedelta = timedelta(hours=1)):
    return [start + k * step for k in range(count)]
