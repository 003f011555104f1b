"""Deterministic randomness: every draw is keyed by (seed, installation, what, when).

Keying every random stream by a string of its coordinates (instead of one shared stream) is what makes
the fleet reproducible piecemeal: installation i is the same whatever N is, a day's activity is the
same whichever instant asks for it first, and a report for a past instant never depends on which
reports were generated before it. `random.Random(str)` hashes the string with SHA-512 (seed version 2),
so it does not depend on PYTHONHASHSEED.
"""
import hashlib
import math
import random
import uuid


def rng(*parts) -> random.Random:
    """A private generator for the coordinates `parts` (e.g. seed, installation, "day", date)."""
    return random.Random(":".join(map(str, parts)))


def unit(*parts) -> float:
    """A uniform float in [0, 1) fixed by `parts`; ~8x cheaper than building a Random."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def stable_uuid(*parts) -> str:
    """A UUID4-shaped identifier fixed by `parts` (report ids must be reproducible too)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def poisson(r: random.Random, lam: float) -> int:
    """A Poisson draw: Knuth's product method for small means, a rounded normal above 30."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(r.gauss(lam, math.sqrt(lam)) + 0.5))
    limit, k, p = math.exp(-lam), 0, r.random()
    while p > limit:
        k += 1
        p *= r.random()
    return k


def weighted(r: random.Random, table):
    """One value of `table` = [(value, weight), ...]."""
    total = sum(w for _, w in table)
    x = r.random() * total
    for value, w in table:
        x -= w
        if x < 0:
            return value
    return table[-1][0]


def lognormal_minutes(r: random.Random, median: float, sigma: float, low: float, high: float) -> float:
    """A duration in minutes, log-normal around `median`, clipped to [low, high]."""
    return min(high, max(low, median * math.exp(r.gauss(0.0, sigma))))
