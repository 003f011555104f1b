"""Combinators: `any_of` holds where any of its conditions holds (probe or status-file evidence), `all_of`
where all of them hold (a version change, then silence)."""
from dataclasses import replace


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


def all_of(condition: dict, scope) -> dict:
    """Holds where every part holds (per object key). The latest `since` decides when it began (all parts
    hold only from then), `at` is the latest sighting; details, values and labels are joined."""
    from . import observe, supported

    if not all(supported(part) for part in condition["conditions"]):
        return {}
    found = None
    for part in condition["conditions"]:
        observed = observe(part, scope)
        if found is None:
            found = {key: [obs] for key, obs in observed.items()}
        else:
            found = {key: parts + [observed[key]] for key, parts in found.items() if key in observed}
        if not found:
            return {}
    return {key: _joined(parts) for key, parts in found.items()}


def _joined(parts: list):
    since = max(p.since or p.at for p in parts)
    labels = {}
    for p in parts:
        labels.update(p.labels)
    return replace(parts[0], at=max(p.at for p in parts), since=since, labels=labels,
                   value="; ".join(p.value for p in parts if p.value)[:200],
                   detail="; ".join(p.detail for p in parts if p.detail)[:1000],
                   historical=all(p.historical for p in parts))
