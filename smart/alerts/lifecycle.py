"""The lifecycle of alert instances: pending → firing → resolved, with `for` durations, hysteresis on
resolve, inhibition holding an instance in pending, and a flip row for every firing and resolved change.

`apply(rule, observations, scope, now)` is told, for one rule, every object where the condition holds now
within `scope` (the objects this evaluation is authoritative for: one installation after its report,
or everything in a periodic pass); objects in scope that are not observed are recovering.

Writes are proportional to what changed, not to what is firing: new instances are inserted in batches,
and an existing instance is written only with the fields that changed (one UPDATE per batch of rows
sharing the same changed fields), so a steady state of thousands of firing instances writes nothing.
`last_seen_at` alone is written only once it moved by LAST_SEEN_STEP (up to twice that, spread by
fingerprint): no decision reads it (the lifecycle decides from `pending_since`, `fired_at` and the
observation's own time; nothing else in SMART reads it), so it is a "condition seen within the last few
minutes" mark for people, not a clock. The instances in scope are locked for the pass (FOR NO KEY
UPDATE on PostgreSQL: two passes over one rule queue, inserts that only reference an alert do not).
Resolving a fired instance records its time to resolve (`ttr_s`, fired → resolved).
"""
import hashlib
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import partial
from operator import attrgetter, itemgetter

from django.db import connection, transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast

from .models import Alert, Flip, State

LAST_SEEN_STEP = timedelta(seconds=300)  # five probe cycles: a steady state rewrites it once in five
BATCH = 2000  # rows per INSERT / UPDATE statement (fewer on SQLite when its parameter limit says so)

# Every field the lifecycle may change: compared before and after a pass to find what to write.
WRITTEN = ("state", "pending_since", "fired_at", "resolved_at", "ttr_s", "last_seen_at", "resolve_streak",
           "value", "detail", "labels", "dealer", "installation", "online_access", "client", "priority",
           "legacy_priority", "importance", "category", "inhibited_by", "historical", "acknowledged_at",
           "acknowledged_by", "acknowledged_via", "tta_s", "snoozed_until", "escalated_at")
_COLUMNS = tuple(f.attname for f in Alert._meta.concrete_fields)  # as loaded, in this order
_COMPARED = tuple((name, Alert._meta.get_field(name).attname, _COLUMNS.index(Alert._meta.get_field(name).attname))
                  for name in WRITTEN)
_KEY, _LAST_SEEN = _COLUMNS.index("object_key"), _COLUMNS.index("last_seen_at")
# the compared fields but last_seen_at, as one tuple of an instance and of its loaded row (a C-level compare)
_OTHERS = [(attname, i) for _, attname, i in _COMPARED if i != _LAST_SEEN]
_OTHERS_NOW, _OTHERS_BEFORE = attrgetter(*(a for a, _ in _OTHERS)), itemgetter(*(i for _, i in _OTHERS))


@dataclass
class Observation:
    object_key: str
    at: datetime  # when the condition was seen (the report's time for a backlog)
    since: datetime | None = None  # when it began, if the source knows (a check failing since …)
    value: str = ""
    detail: str = ""
    dealer_id: int | None = None
    installation_id: int | None = None
    online_access_id: int | None = None
    client_id: int | None = None
    labels: dict = field(default_factory=dict)
    historical: bool = False


@dataclass
class RuleSpec:
    """What the lifecycle needs of a catalogue rule."""

    name: str
    for_s: float = 0
    resolve_after: int = 1  # evaluations in a row without the condition before RESOLVED
    priority: str = "P3"
    legacy_priority: str = "K3"
    importance: str = "info"
    category: str = ""


def fingerprint(rule: str, object_key: str) -> str:
    return hashlib.sha1(f"{rule}|{object_key}".encode()).hexdigest()


@transaction.atomic
def apply(rule: RuleSpec, observations: list[Observation], scope: dict | None, now: datetime,
          inhibited: dict[str, str] | None = None) -> list[Flip]:
    """Update the rule's instances in `scope` (a filter on Alert, None = all) from what was observed.
    `inhibited` maps object keys to the firing rule that holds them back (they stay pending)."""
    inhibited = inhibited or {}
    rows = Alert.objects.select_for_update(no_key=True).filter(rule=rule.name, **(scope or {}))
    before = {values[_KEY]: values for values in values_list(rows, _COLUMNS)}
    existing = {key: _Stored(values) for key, values in before.items()}
    seen = {}
    for obs in observations:
        if obs.object_key in seen:
            continue
        seen[obs.object_key] = obs
        alert = existing.get(obs.object_key)
        if alert is None:
            alert = existing[obs.object_key] = Alert(rule=rule.name, object_key=obs.object_key,
                                                     fingerprint=fingerprint(rule.name, obs.object_key),
                                                     pending_since=obs.since or obs.at, last_seen_at=obs.at)
        elif alert.state == State.RESOLVED:
            _reopen(alert, obs.since if obs.since and obs.since > alert.resolved_at else obs.at)
        _observe(alert, rule, obs, inhibited.get(obs.object_key, ""))
    changes = []
    for key, alert in existing.items():
        obs = seen.get(key)
        if obs is not None:
            if alert.state == State.PENDING and not alert.inhibited_by and \
                    (obs.at - alert.pending_since).total_seconds() >= rule.for_s:
                alert.state, alert.fired_at = State.FIRING, obs.at
                changes.append((alert, State.FIRING, obs.at))
        elif alert.state == State.PENDING:
            alert.state, alert.resolved_at = State.RESOLVED, now  # never fired: nothing to tell
        elif alert.state == State.FIRING:
            alert.resolve_streak += 1
            if alert.resolve_streak >= rule.resolve_after:
                alert.state, alert.resolved_at = State.RESOLVED, now
                alert.ttr_s = max(0.0, (now - alert.fired_at).total_seconds()) if alert.fired_at else None
                changes.append((alert, State.RESOLVED, now))
    _write(existing, before)
    flips = [Flip(alert=alert if isinstance(alert, Alert) else alert.model(), new_state=state, at=at)
             for alert, state, at in changes]
    _insert(Flip, flips, "alert")  # one flip per instance and pass
    return flips


def values_list(rows, names) -> list[tuple]:
    """`list(rows.values_list(*names))`. On PostgreSQL the timestamps of the queryset's own model (not those
    behind a `__` look-up) are read as text and parsed here: Django's timestamptz loader is Python code
    (about 6 µs a value; 10,000 firing instances bring 30,000), datetime.fromisoformat is C. Django sets
    the session's zone to UTC, so the text is UTC and the values are the loader's (another zone: the loader)."""
    if connection.vendor != "postgresql" or connection.timezone is not timezone.utc:
        return list(rows.values_list(*names))
    meta = rows.model._meta
    stamps = [i for i, name in enumerate(names)
              if "__" not in name and meta.get_field(name).get_internal_type() == "DateTimeField"]
    if not stamps:
        return list(rows.values_list(*names))
    texts = {f"_text_{names[i]}": Cast(F(names[i]), TextField()) for i in stamps}
    parse = datetime.fromisoformat
    found = []
    for values in rows.annotate(**texts).values_list(*(f"_text_{n}" if f"_text_{n}" in texts else n for n in names)):
        values = list(values)
        for i in stamps:
            if values[i] is not None:
                values[i] = parse(values[i])
        found.append(tuple(values))
    return found


class _Stored:
    """A stored instance as plain attributes (its column names): a model object for each of thousands of
    unchanged rows was most of a steady pass. `model()` makes one for the rows that flip."""

    def __init__(self, values: tuple):
        self.__dict__ = dict(zip(_COLUMNS, values))

    def model(self) -> Alert:
        alert = Alert(**{name: getattr(self, name) for name in _COLUMNS})
        alert._state.adding, alert._state.db = False, connection.alias
        return alert


def _write(alerts: dict, before: dict[str, tuple]) -> None:
    """Insert the new instances; update the others with the fields that changed, grouped by field set."""
    _insert(Alert, [a for key, a in alerts.items() if key not in before], "fingerprint")
    by_fields = defaultdict(list)
    for key, old in before.items():
        alert = alerts[key]
        if _OTHERS_NOW(alert) == _OTHERS_BEFORE(old):  # the steady case: at most last_seen_at moved
            if alert.last_seen_at == old[_LAST_SEEN] or \
                    alert.last_seen_at - old[_LAST_SEEN] < _last_seen_step(alert):
                continue  # only seen again, and recently enough marked so
            changed = ("last_seen_at",)
        else:
            changed = tuple(name for name, attname, i in _COMPARED if getattr(alert, attname) != old[i])
            if changed == ("last_seen_at",) and alert.last_seen_at - old[_LAST_SEEN] < _last_seen_step(alert):
                continue
        if changed:
            by_fields[changed].append(alert)
    for fields, group in by_fields.items():
        _update(group, fields)


def _last_seen_step(alert) -> timedelta:
    """LAST_SEEN_STEP to twice that, by fingerprint: instances that fired together (a fleet-wide outage)
    do not all come due for a `last_seen_at` write in the same pass."""
    return LAST_SEEN_STEP * (1 + int(alert.fingerprint[:2], 16) / 256)


def _insert(model, objects: list, key: str) -> None:
    """INSERT … RETURNING: one statement per batch; each object gets its primary key, matched by `key` (a
    column unique within the batch), not by the order the database returns rows in."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    prepare = [_preparer(f) for f in fields]
    read = [partial(f.pre_save, add=True) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else attrgetter(f.attname) for f in fields]  # pre_save only where it does something
    pk, key_field = model._meta.pk, model._meta.get_field(key)
    quote, table = connection.ops.quote_name, connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        for batch in _batches(objects, len(fields)):
            for obj in batch:
                obj._prepare_related_fields_for_save(operation_name="bulk_create")  # a flip's new alert's id
            rows, params = _rows(fields, [[prep(get(obj)) for get, prep in zip(read, prepare)] for obj in batch])
            cursor.execute(f"INSERT INTO {table} ({columns}) {rows} "
                           f"RETURNING {quote(pk.column)}, {quote(key_field.column)}", params)
            ids = {found: pk_value for pk_value, found in cursor.fetchall()}
            for obj in batch:
                obj.pk = ids[getattr(obj, key_field.attname)]
                obj._state.adding, obj._state.db = False, connection.alias


def _update(alerts: list[Alert], names: tuple) -> None:
    """UPDATE … FROM a row source: one statement per batch, each row its own values. (Django's bulk_update
    builds a CASE per field over the whole batch, which grows with rows × rows: 10,000 resolved instances
    took seconds.)"""
    fields = [Alert._meta.pk, *(Alert._meta.get_field(name) for name in names)]
    prepare = [_preparer(f) for f in fields]
    quote, table = connection.ops.quote_name, connection.ops.quote_name(Alert._meta.db_table)
    columns = [quote(f.column) for f in fields]
    with connection.cursor() as cursor:
        for batch in _batches(alerts, len(fields)):
            rows, params = _rows(fields, [[prep(getattr(a, f.attname)) for f, prep in zip(fields, prepare)]
                                          for a in batch])
            cursor.execute(f"WITH v ({', '.join(columns)}) AS ({rows}) "
                           f"UPDATE {table} SET {', '.join(f'{c} = v.{c}' for c in columns[1:])} "
                           f"FROM v WHERE {table}.{columns[0]} = v.{columns[0]}", params)


def _rows(fields: list, rows: list[list]) -> tuple[str, list]:
    """A row source and its parameters. PostgreSQL: one typed array per column through unnest (a handful
    of parameters whatever the rows: the driver's per-placeholder work was most of the time); SQLite: a
    VALUES list (its parser is C)."""
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{f.rel_db_type(connection) if f.primary_key else f.db_type(connection)}[]"
                           for f in fields)
        return f"SELECT * FROM unnest({arrays})", [list(column) for column in zip(*rows)]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return f"VALUES {', '.join([row] * len(rows))}", [value for r in rows for value in r]


def _batches(items: list, width: int):
    """Slices of `items` that fit one statement (SQLite's limit on bound parameters)."""
    size = BATCH if connection.vendor == "postgresql" else max(1, min(BATCH, _max_params() // width))
    for start in range(0, len(items), size):
        yield items[start:start + size]


# Field types whose Python values the database drivers take as they are (no per-value Django call).
_NATIVE = {"AutoField", "BigAutoField", "BooleanField", "CharField", "TextField", "FloatField", "IntegerField",
           "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField"}


def _preparer(f):
    """The value → query parameter conversion of a field, cheap for the common types."""
    kind = f.target_field.get_internal_type() if f.is_relation else f.get_internal_type()
    if kind in _NATIVE:
        return lambda value: value
    if kind == "DateTimeField":
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    return lambda value: f.get_db_prep_save(value, connection)


def _max_params() -> int:
    """Bound parameters one SQLite statement may carry (a compile-time limit: 32,766 in current builds)."""
    connection.ensure_connection()
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def _reopen(alert, at: datetime) -> None:
    """A new episode on the same row: everything of the previous one (fired, acknowledged, TTR) is cleared."""
    alert.state, alert.pending_since = State.PENDING, at
    alert.fired_at = alert.resolved_at = alert.acknowledged_at = alert.snoozed_until = alert.escalated_at = None
    alert.acknowledged_by_id, alert.acknowledged_via = None, ""
    alert.tta_s = alert.ttr_s = None


def _observe(alert, rule: RuleSpec, obs: Observation, inhibitor: str) -> None:
    alert.last_seen_at, alert.resolve_streak = obs.at, 0
    alert.value, alert.detail = obs.value[:200], obs.detail
    alert.dealer_id, alert.installation_id = obs.dealer_id, obs.installation_id
    alert.online_access_id, alert.client_id = obs.online_access_id, obs.client_id
    alert.labels, alert.historical, alert.inhibited_by = obs.labels, obs.historical, inhibitor
    tier = obs.labels.get("priority") if isinstance(obs.labels, dict) else None  # a staleness tier, a DB error code
    alert.priority = tier if tier in ("P1", "P2", "P3", "P4") else rule.priority
    alert.legacy_priority = rule.legacy_priority
    alert.importance, alert.category = rule.importance, rule.category
