"""Combinators: `any_of` holds where any of its conditions holds (probe or status-file evidence)."""


def any_of(condition: dict, scope) -> dict:
    from . import observe, supported

    found = {}
    for part in condition["conditions"]:
        if not supported(part):
            continue
        for key, obs in observe(part, scope).items():
            earlier = found.get(key)
            if earlier is None or (obs.since or obs.at) < (earlier.since or earlier.at):
                found[key] = obs  # the longest-standing evidence decides when it began
    return found
