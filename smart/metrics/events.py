"""Event and entity tables of a sysinfo report, de-duplicated across overlapping reports.

Reports overlap (each search log covers the last hours, every report lists the same users and the
same operup files), so each row has a natural key; an entity's `first_seen`/`last_seen` widen to
cover every report that listed it, whatever the order the reports arrive in.
"""
from datetime import datetime, timezone as dt_timezone

from smart.formats.model import SysinfoReport

from . import bulk
from .models import (
    DbErrorEvent, KassistDay, KnownUser, LicenceState, OperupEvent, RefusalEvent, SearchEvent, SessionEvent,
    VersionEvent,
)

UTC = dt_timezone.utc


def _hour(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def store_events(installation, t: datetime, sysinfo: SysinfoReport, fingerprint) -> set[datetime]:
    """Store the report's events; returns the UTC hours whose event counts may have changed."""
    hours = set()
    hours |= _searches(installation, sysinfo, fingerprint)
    hours |= _refusals(installation, sysinfo, fingerprint)
    _sessions(installation, t, sysinfo)
    _users(installation, t, sysinfo)
    _seen_span(DbErrorEvent, installation, t, {
        fingerprint(v.name, v.path, e.group, e.code, e.message): {
            "volume": (v.name or v.path or "")[:500], "group": e.group or "", "code": e.code, "alias": e.alias,
            "message": e.message or "",
        }
        for v in sysinfo.volumes or () for e in v.errors or ()
    }, key_field="fingerprint")
    _seen_span(OperupEvent, installation, t, {
        (f.path[:1000], f.modified_at): {} for f in sysinfo.operup_files or () if f.path and f.modified_at
    }, key_field=("path", "modified_at"))
    _seen_span(VersionEvent, installation, t, {key: {} for key in _versions(sysinfo)}, key_field=("component", "version"))
    _licences(installation, t, sysinfo)
    _kassist(installation, t, sysinfo)
    return hours


def _searches(installation, sysinfo, fingerprint) -> set[datetime]:
    rows = {}
    for s in sysinfo.searches or ():
        if s.at is None:
            continue
        key = fingerprint(s.at.isoformat(), s.login, s.text, s.catalogue, s.search_type, s.source)
        rows[key] = dict(
            installation_id=installation.pk, fingerprint=key, at=s.at, login=s.login or "", text=s.text or "",
            search_type=s.search_type or "", catalogue=s.catalogue or "", source=s.source or "",
            results=s.results, duration_ms=None if s.duration_s is None else round(s.duration_s * 1000),
            error=bool(s.error),
        )
    return _insert_new(SearchEvent, installation, rows)


def _refusals(installation, sysinfo, fingerprint) -> set[datetime]:
    rows = {}
    for r in sysinfo.login_refusals or ():
        if r.at is None:
            continue
        key = fingerprint(r.at.isoformat(), r.login, r.code, r.reason)
        rows[key] = dict(
            installation_id=installation.pk, fingerprint=key, at=r.at, login=r.login or "", code=r.code,
            reason=r.reason or "", message=r.message or "", count=r.count or 1,
        )
    return _insert_new(RefusalEvent, installation, rows)


def _insert_new(model, installation, rows: dict) -> set[datetime]:
    """Insert the rows whose fingerprint is not stored yet; returns the hours of those new rows."""
    if not rows:
        return set()
    # events have their own time: what is stored since the earliest of them is all that can clash
    since = min(row["at"] for row in rows.values())
    known = set(model.objects.filter(installation=installation, at__gte=since).values_list("fingerprint", flat=True))
    new = [row for key, row in rows.items() if key not in known]
    bulk.insert(model, new, unique=("installation", "fingerprint"))
    return {_hour(row["at"]) for row in new}


def _sessions(installation, t, sysinfo) -> None:
    rows = {}
    for s in sysinfo.sessions or ():
        if s.login and s.started_at:
            rows[(s.login[:200], s.started_at)] = {"ip": s.ip or "", "browser": (s.browser or "")[:300],
                                                   "domain": s.domain or ""}
    if rows:
        since = {"started_at__gte": min(started for _, started in rows)}
        _seen_span(SessionEvent, installation, t, rows, key_field=("login", "started_at"), since=since)


USER_FIELDS = ["full_name", "phone", "email", "position", "department", "domain", "ad_group"]


def _users(installation, t, sysinfo) -> None:
    if sysinfo.users is None:
        return
    rows = {}
    for user in sysinfo.users:
        if user.login:
            values = {f: (getattr(user, f) or "")[:300] for f in USER_FIELDS}
            values.update(registered_on=user.registered_on, last_login_at=user.last_login_at)
            rows[user.login[:200]] = values
    card = [*USER_FIELDS, "registered_on", "last_login_at"]
    existing = {  # plain tuples, not model instances: a big installation lists thousands of users
        row[0]: row for row in KnownUser.objects.filter(installation=installation)
        .values_list("login", "pk", "first_seen", "last_seen", *card)
    }
    changed = []
    seen = _SeenSpans()
    for login, values in rows.items():
        row = existing.get(login)
        if row is None:
            changed.append(KnownUser(installation=installation, login=login, first_seen=t, last_seen=t, **values))
            continue
        _, pk, first_seen, last_seen, *stored = row
        if t >= last_seen and tuple(stored) != tuple(values[k] for k in card):
            # the newest report describes the card
            changed.append(KnownUser(pk=pk, installation=installation, login=login, first_seen=min(first_seen, t),
                                     last_seen=t, **values))
        elif t > last_seen:
            seen.later.append(pk)
        elif t < first_seen:
            seen.earlier.append(pk)
    upsert(KnownUser, changed, ("installation", "login"), ["first_seen", "last_seen", *USER_FIELDS, "registered_on",
                                                            "last_login_at"])
    seen.apply(KnownUser, t)


class _SeenSpans:
    """Rows whose only change is first_seen or last_seen moving to t: one UPDATE per 500 ids."""

    def __init__(self):
        self.later, self.earlier = [], []

    def widen(self, row, t) -> None:
        if t > row.last_seen:
            self.later.append(row.pk)
        elif t < row.first_seen:
            self.earlier.append(row.pk)

    def apply(self, model, t) -> None:
        for ids, field in ((self.later, "last_seen"), (self.earlier, "first_seen")):
            for i in range(0, len(ids), 500):
                model.objects.filter(pk__in=ids[i : i + 500]).update(**{field: t})


def _seen_span(model, installation, t, rows: dict, key_field, since=None) -> None:
    """Upsert entities seen at report time t, widening first_seen/last_seen; later reports' details win.

    `since` bounds the lookup of stored rows (e.g. sessions started after it) instead of an IN list per key.
    """
    if not rows:
        return
    key_fields = (key_field,) if isinstance(key_field, str) else key_field
    keys = [key if isinstance(key, tuple) else (key,) for key in rows]
    stored = model.objects.filter(installation=installation)
    if since is not None:
        stored = stored.filter(**since)
    else:  # a superset of the stored rows with these keys: each key field IN the values seen
        stored = stored.filter(**{f"{f}__in": list({k[i] for k in keys}) for i, f in enumerate(key_fields)})
    existing = {tuple(getattr(obj, f) for f in key_fields): obj for obj in stored}
    changed = []
    seen = _SeenSpans()
    for key, details in rows.items():
        key = key if isinstance(key, tuple) else (key,)
        obj = existing.get(key)
        if obj is None:
            changed.append(model(installation=installation, first_seen=t, last_seen=t,
                                 **dict(zip(key_fields, key)), **details))
        elif t > obj.last_seen and any(getattr(obj, k) != v for k, v in details.items()):
            for name, value in details.items():
                setattr(obj, name, value)
            obj.last_seen = t
            changed.append(obj)
        else:
            seen.widen(obj, t)
    upsert(model, changed, ("installation", *key_fields), ["first_seen", "last_seen", *next(iter(rows.values())).keys()])
    seen.apply(model, t)


def upsert(model, rows: list, unique_fields, update_fields) -> None:
    """INSERT … ON CONFLICT DO UPDATE for model instances that carry their final values."""
    if rows:
        columns = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        bulk.insert(model, [{c: getattr(obj, c) for c in columns} for obj in rows], unique=tuple(unique_fields),
                    update=tuple(update_fields))


def _versions(sysinfo) -> list[tuple[str, str]]:
    header = sysinfo.header
    found = []
    if header.server_version:
        found.append(("server", header.server_version + (f" [{header.server_patch}]" if header.server_patch else "")))
    if header.sysinfo_version:
        found.append(("sysinfo", header.sysinfo_version))
    for c in sysinfo.components or ():
        if c.version:
            found.append(((c.kind or c.name or "component")[:100], c.version[:100]))
    return found


def _licences(installation, t, sysinfo) -> None:
    for lic in sysinfo.licences or ():
        product, volume = (lic.product or "")[:300], (lic.volume or "")[:300]
        row = LicenceState.objects.filter(installation=installation, product=product, volume=volume).first()
        if row is None:
            LicenceState.objects.create(installation=installation, product=product, volume=volume,
                                        expires_on=lic.expires_on, seats=lic.seats, report_time=t)
        elif t >= row.report_time:
            row.expires_on, row.seats, row.report_time = lic.expires_on, lic.seats, t
            row.save(update_fields=["expires_on", "seats", "report_time"])


def _kassist(installation, t, sysinfo) -> None:
    for day in sysinfo.kassist_links or ():
        if day.day is None:
            continue
        values = {"unique_links": day.unique_links, "unmatched_links": day.unmatched_links,
                  "all_links": day.all_links, "active_links": day.active_links}
        row = KassistDay.objects.filter(installation=installation, day=day.day).first()
        if row is None:
            KassistDay.objects.create(installation=installation, day=day.day, report_time=t, **values)
        elif t >= row.report_time:
            KassistDay.objects.filter(pk=row.pk).update(report_time=t, **values)
