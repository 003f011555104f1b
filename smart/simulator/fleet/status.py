"""`.status` files exactly as the deployed smartstatus script writes them.

The script keeps the HTTP `date:` line of `curl -i` (found with a case-sensitive `find "date:"` on
Windows, E22) and appends the body of K/TE's `/sysmon/metrics`. What that gives per installation:

- server >= 6.4.5.127: `date: ...` (lowercase, as /sysmon sends it) + the reference set below;
- older servers (`/sysinfo/metrics`): only the two known series; the endpoint sends `Date:`, which the
  Linux script keeps and the Windows script's case-sensitive `find` drops (no date line at all);
- K/TE down: no date line and `kserver_up 0` (the script reports "unreachable", R-C17);
- smartlogin without /sysmon rights: the date line and an HTTP 401 page (E3);
- maintenance: the metrics say so, or (30 % of the time) K/TE answers with its 503 page.

The reference metric set (all gauges unless noted; rules must cope with any of them missing):

| metric | labels | meaning |
|---|---|---|
| `kserver_main_page` | service, path | 0 the catalogue's main page is assembled, 1 problem (known series) |
| `kserver_product_control` | service, path, status | 0 fine, 1 problem; status = ok, maintenance, key_not_found, db_errors, licence_expired (known series) |
| `kserver_up` | - | 1 K/TE answers; 0 unreachable (written by the script) |
| `kserver_info` | version, arch, sysinfo | always 1: the server and sysinfo module versions |
| `kserver_start_time_seconds` | - | Unix time the server process started (restarts, upgrades) |
| `kserver_maintenance` | - | 1 maintenance mode |
| `kserver_need_support` | - | 1 the "servicing required" banner is shown |
| `kserver_seats_total` | - | licensed workplaces in the reg-file |
| `kserver_seats_used` | - | occupied workplaces now |
| `kserver_key_present` | type | 1 the protection key is seen, 0 not found |
| `kserver_licman_up` | host | 1 the licence manager answers (installations with a licence manager) |
| `kserver_spp_up` | - | 1 the SPP support-request service works |
| `kserver_login_denied_total` (counter) | reason | refused logins since start: no_free_seats (2008/4106), auth |
| `kserver_searches_total` (counter) | result | searches since start: found, empty, error |
| `kserver_db_errors` | code | DB volumes showing an error with this code now ("none" = no code) |
| `kserver_volumes` | - | connected DB volumes |
| `kserver_operup_age_seconds` | file | seconds since each operup file was last updated |
| `kserver_licence_expiry_timestamp_seconds` | product | Unix time the product's licence ends (end of its last day) |
| `kserver_disk_free_bytes` | path | free bytes of the partition holding K/TE |
| `kserver_disk_size_bytes` | path | size of that partition |
"""
from datetime import datetime, time, timedelta, timezone
from email.utils import format_datetime

from .rand import rng, unit
from .sysinfo import key_state, licence_expired, maintenance_at, operup_mtime, sysinfo_version, volume_errors

UTC = timezone.utc
GIB = 1024**3
SERVICE = "kodweb"

HELP = {
    "kserver_up": ("gauge", "1 if K/TE answers, 0 if unreachable"),
    "kserver_main_page": ("gauge", "0 main page assembled, 1 problem"),
    "kserver_product_control": ("gauge", "0 product sets fine, 1 problem"),
    "kserver_info": ("gauge", "Server and sysinfo module versions"),
    "kserver_start_time_seconds": ("gauge", "Unix time the server process started"),
    "kserver_maintenance": ("gauge", "1 in maintenance mode"),
    "kserver_need_support": ("gauge", "1 servicing-required banner shown"),
    "kserver_seats_total": ("gauge", "Licensed workplaces"),
    "kserver_seats_used": ("gauge", "Occupied workplaces"),
    "kserver_key_present": ("gauge", "1 protection key seen"),
    "kserver_licman_up": ("gauge", "1 licence manager answers"),
    "kserver_spp_up": ("gauge", "1 SPP support-request service works"),
    "kserver_login_denied_total": ("counter", "Refused logins since start"),
    "kserver_searches_total": ("counter", "Searches since start"),
    "kserver_db_errors": ("gauge", "DB volumes with an error of this code"),
    "kserver_volumes": ("gauge", "Connected DB volumes"),
    "kserver_operup_age_seconds": ("gauge", "Seconds since the operup file was updated"),
    "kserver_licence_expiry_timestamp_seconds": ("gauge", "Unix time the licence ends"),
    "kserver_disk_free_bytes": ("gauge", "Free bytes on the partition"),
    "kserver_disk_size_bytes": ("gauge", "Size of the partition"),
}
METRIC_NAMES = tuple(HELP)
ERROR_PAGE_401 = ("<html><head><title>401 Unauthorized</title></head><body><h1>401 Unauthorized</h1>"
                  "<p>Недостаточно прав для доступа к каталогу /sysmon</p></body></html>")
ERROR_PAGE_503 = ("<html><head><title>503 Service Unavailable</title></head><body><h1>Сервер на "
                  "обслуживании</h1></body></html>")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class _Text:
    def __init__(self):
        self.lines = []
        self._declared = set()

    def add(self, name: str, value, **labels) -> None:
        if name not in self._declared:
            self._declared.add(name)
            kind, doc = HELP[name]
            self.lines += [f"# HELP {name} {doc}", f"# TYPE {name} {kind}"]
        label = ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items())
        number = repr(float(value)) if isinstance(value, float) else str(int(value))
        self.lines.append(f"{name}{{{label}}} {number}" if label else f"{name} {number}")


def status_bytes(fleet, i: int, t: datetime) -> bytes:
    """The .status file of installation i for a smartstatus run at t."""
    inst, eps = fleet.installation(i), fleet.episodes(i)
    t = t.astimezone(UTC).replace(microsecond=0)
    newline = "\r\n" if inst.os == "windows" else "\n"
    server_time = t + timedelta(seconds=inst.clock_skew)
    date_value = format_datetime(server_time, usegmt=True)
    if eps.active(t, "down"):
        body = _Text()
        body.add("kserver_up", 0)
        return newline.join(body.lines + [""]).encode()
    sysmon = inst.has_sysmon(t)
    if sysmon:
        head = [f"date: {date_value}"]
    else:
        head = [f"Date: {date_value}"] if inst.os == "linux" else []
    if eps.active(t, "auth401"):
        return newline.join(head + ["", ERROR_PAGE_401, ""]).encode()
    maintenance = maintenance_at(inst, eps, t)
    if maintenance and unit(inst.seed, i, "page503", t.isoformat()) < 0.3:
        return newline.join(head + ["", ERROR_PAGE_503, ""]).encode()
    body = _metrics(fleet, i, t, maintenance, sysmon)
    return newline.join(head + body.lines + [""]).encode()


def _metrics(fleet, i: int, t: datetime, maintenance: bool, sysmon: bool) -> _Text:
    inst, eps, act = fleet.installation(i), fleet.episodes(i), fleet.activity(i)
    errors = volume_errors(inst, eps, t)
    key, lm, lost = key_state(inst, eps, t)
    expired = any(licence_expired(inst, t, addon=p[3]) for p in inst.products)
    broken = {e[1] for errs in errors.values() for e in errs if e[0] in ("product", "os")}
    if maintenance:
        state = "maintenance"
    elif lost is not None:
        state = "key_not_found"
    elif expired:
        state = "licence_expired"
    elif broken:
        state = "db_errors"
    else:
        state = "ok"
    need_support = expired or bool(broken)
    out = _Text()
    for path in inst.catalogues:
        out.add("kserver_main_page", int(maintenance or lost is not None), service=SERVICE, path=path)
    for path in inst.catalogues:
        out.add("kserver_product_control", int(state != "ok"), service=SERVICE, path=path, status=state)
    if not sysmon:
        return out
    version = inst.version_at(t)
    started = _start_time(fleet, i, t)
    out.add("kserver_up", 1)
    out.add("kserver_info", 1, version=version, arch=inst.arch, sysinfo=sysinfo_version(version))
    out.add("kserver_start_time_seconds", int(started.timestamp()))
    out.add("kserver_maintenance", int(maintenance))
    out.add("kserver_need_support", int(need_support and not maintenance))
    out.add("kserver_seats_total", inst.seats_at(t))
    out.add("kserver_seats_used", 0 if maintenance else len(act.sessions_at(t)))
    out.add("kserver_key_present", int(lost is None), type=key.kind)
    if lm is not None:
        out.add("kserver_licman_up", int(lm.status == "ok"), host=f"{lm.host}:{lm.port}")
    out.add("kserver_spp_up", int(not maintenance))
    denied, results = act.counts_between(started, t)
    for reason, count in denied.items():
        out.add("kserver_login_denied_total", count, reason=reason)
    for result, count in results.items():
        out.add("kserver_searches_total", count, result=result)
    codes: dict = {}
    for errs in errors.values():
        for code in {("none" if e[1] is None else str(e[1])) for e in errs}:
            codes[code] = codes.get(code, 0) + 1
    for code in sorted(codes, key=lambda c: (c == "none", c.zfill(6))):
        out.add("kserver_db_errors", codes[code], code=code)
    out.add("kserver_volumes", len(inst.volumes))
    for path, period, sec in inst.operup_files:
        age = t - operup_mtime(inst, eps, act, path, period, sec, t)
        file_name = path.replace("/", "\\").rsplit("\\", 1)[-1]
        out.add("kserver_operup_age_seconds", max(0, int(age.total_seconds())), file=file_name)
    for name, _kind, _vols, addon in inst.products:
        ends = inst.expiry_at(t, addon)
        end_instant = datetime.combine(ends + timedelta(days=1), time(), tzinfo=inst.zone)
        out.add("kserver_licence_expiry_timestamp_seconds", int(end_instant.timestamp()), product=name)
    disks = _disks(fleet, i, t)
    for path, free, _size in disks:  # a family's samples must stay together in the exposition
        out.add("kserver_disk_free_bytes", free, path=path)
    for path, _free, size in disks:
        out.add("kserver_disk_size_bytes", size, path=path)
    return out


def _start_time(fleet, i: int, t: datetime) -> datetime:
    """The last server start: end of the nightly window (else a Sunday restart), a crash, an upgrade."""
    inst, eps = fleet.installation(i), fleet.episodes(i)
    local = t.astimezone(inst.zone)
    candidates = []
    if inst.maintenance:
        begin, length = inst.maintenance
        for back in (0, 1):
            end = datetime.combine(local.date() - timedelta(days=back), time(), tzinfo=inst.zone) + timedelta(
                seconds=begin + length)
            if end <= local:
                candidates.append(end)
                break
    else:
        sunday = local.date() - timedelta(days=(local.weekday() + 1) % 7)
        restart = datetime.combine(sunday, time(4, 30), tzinfo=inst.zone)
        candidates.append(restart if restart <= local else restart - timedelta(days=7))
    for ep in eps.overlapping(t - timedelta(days=8), t):
        if ep.kind in ("down", "long_maintenance") and ep.end <= t:
            candidates.append(ep.end)
    for moment, _v in inst.versions:
        if t - timedelta(days=8) < moment <= t:
            candidates.append(moment)
    return max(c.astimezone(UTC) for c in candidates)


def _disks(fleet, i: int, t: datetime) -> list:
    """[(path, free bytes, size bytes)]: the system disk and the data disk that slowly fills up."""
    inst, eps = fleet.installation(i), fleet.episodes(i)
    r = rng(inst.seed, i, "disks")
    paths = ("/", "/opt/kodeks") if inst.os == "linux" else ("C:\\", "D:\\")
    sys_size, data_size = r.choice([80, 120, 240]) * GIB, r.choice([250, 500, 1000, 2000]) * GIB
    sys_free = int(sys_size * r.uniform(0.2, 0.5))
    base = data_size * r.uniform(0.1, 0.6)
    local = t.astimezone(inst.zone)
    # operup packages and logs accumulate through the month; a scheduled clean-up runs on the 1st
    data_free = base - (local.day - 1 + local.hour / 24) * 0.25 * GIB
    for ep in eps.overlapping(t - timedelta(days=30), t, "disk_fill"):
        if ep.covers(t):
            progress = (t - ep.start) / (ep.end - ep.start)
            data_free -= (data_free - ep.data["floor_gb"] * GIB) * progress
    return [(paths[0], sys_free, sys_size), (paths[1], max(GIB // 2, int(data_free)), data_size)]
