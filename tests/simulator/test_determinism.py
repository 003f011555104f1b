"""Same seed, same bytes; installation i does not depend on the fleet's size."""
from datetime import timedelta

from smart.simulator.fleet import Fleet

from .conftest import SEED, START, variant


def test_same_seed_gives_identical_zip_and_status(fleet):
    other = Fleet(seed=SEED, installations=30, start=START)
    t = fleet.now - timedelta(hours=27, minutes=13)
    for i in (0, 3, 7):
        assert fleet.sysinfo_zip(i, t) == other.sysinfo_zip(i, t)
        assert fleet.status_at(i, t) == other.status_at(i, t)


def test_sqlite_variant_is_deterministic_too():
    big, i = variant(lambda inst: inst.sqlite)
    other = Fleet(seed=SEED, installations=300, start=START)
    assert big.sysinfo_zip(i, big.now) == other.sysinfo_zip(i, big.now)


def test_installation_does_not_depend_on_fleet_size(small):
    big = Fleet(seed=SEED, installations=300, start=START)
    t = small.now - timedelta(days=3, hours=5)
    for i in range(small.size):
        assert small.name(i) == big.name(i)
        assert small.sysinfo_zip(i, t) == big.sysinfo_zip(i, t)


def test_report_does_not_depend_on_what_was_generated_before(small):
    fresh = Fleet(seed=SEED, installations=6, start=START)
    t = small.now - timedelta(days=9, minutes=40)
    for moment in (t - timedelta(days=20), t - timedelta(hours=5), t):  # warm the caches of `small`
        small.sysinfo_at(1, moment)
    assert fresh.sysinfo_at(1, t) == small.sysinfo_at(1, t)


def test_another_seed_gives_another_fleet(small):
    other = Fleet(seed=SEED + 1, installations=6, start=START)
    assert small.sysinfo_zip(1, small.now) != other.sysinfo_zip(1, small.now)


def test_names_are_unique_and_start_with_the_demo_registry(fleet):
    from smart.simulator import demo

    names = Fleet(seed=SEED, installations=200, start=START).names()
    assert names[: len(demo.PUSHED)] == demo.PUSHED
    assert len({n.lower() for n in names}) == len(names)
    assert all(n.replace("-", "").isalnum() and n.isascii() for n in names)
