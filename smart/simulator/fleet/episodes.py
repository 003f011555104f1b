"""Things that go wrong, and when: key loss, downtime, DB errors, stalled operups, full disks, ...

Episodes are drawn per calendar month from a generator keyed by (seed, installation, month), so the
episodes of any month exist without simulating the months before it, and asking about an instant only
looks at its own and the previous month (no episode lasts longer than 28 days). Rates are per month.

| kind            | rate/month | duration      | what it shows                                                   |
|-----------------|-----------:|---------------|-----------------------------------------------------------------|
| key_loss        | 0.12       | 40 min - 10 h | SenseLock "not_found" (4111/4113), sessions cut, key metric 0   |
| down            | 0.2        | 5 min - 6 h   | no sysinfo, `kserver_up 0`, sessions cut                        |
| long_maintenance| 0.15       | 3.2 - 6 h     | the nightly window overruns (KodeksMaintenanceToLong)           |
| db_error        | 0.35       | 10 min - 6 d  | volume errors with real codes of D §2 (2007, OS, 600.., operup) |
| operup_stall    | 0.1        | 2 - 12 days   | operup files stop changing (KodeksDBOperUpToOld past 3 days)    |
| disk_fill       | 0.07       | 4 - 20 days   | free bytes fall to 2-8 GB, then a clean-up                      |
| auth401         | 0.03       | 1 - 10 days   | smartlogin lost /sysmon: .status holds an HTTP 401 page         |
| silent          | 0.025      | 1 - 5 days    | the agent uploads nothing (SmartXMLfileIsToOld)                 |
| search_errors   | 0.05       | 1 - 3 h       | most searches fail in the engine (KodeksSearchError)            |

Upgrades add: DB version error 613 for a day (30 %), and the 2023 story (12 %): the service reinstalled
as a system account loses the NAS (OS error 5) and smartupload is deleted (silent for days).
Planted episodes around `now` (installation.PLANTS) come on top.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from .calendar import prev_month
from .rand import lognormal_minutes, poisson, rng, weighted

UTC = timezone.utc
RATES = {"key_loss": 0.12, "down": 0.2, "long_maintenance": 0.15, "db_error": 0.35, "operup_stall": 0.1,
         "disk_fill": 0.07, "auth401": 0.03, "silent": 0.025, "search_errors": 0.05}

# (group, code, alias, message template, scope, duration range in minutes, weight)
# scope: "some" volumes, "one" volume, "all" volumes. Messages as K/TE writes them (Russian).
DB_ERRORS = [
    ("product", 2007, 4103, "Ошибка защиты (2007): нет прав на использование данной копии БД",
     "some", (600, 6 * 1440), 18),
    ("os", 53, None, "Не удалось открыть файл {path} (ошибка 53): Не найден сетевой путь", "all", (20, 480), 8),
    ("os", 64, None, "Не удалось открыть файл {path} (ошибка 64): Указанное сетевое имя более недоступно",
     "all", (10, 240), 5),
    ("os", 67, None, "Не удалось открыть файл {path} (ошибка 67): Не найдено сетевое имя", "all", (30, 600), 3),
    ("os", 2, None, "Не удалось открыть файл {path} (ошибка 2): Не удается найти указанный файл",
     "one", (120, 2880), 4),
    ("os", 3, None, "Не удалось открыть файл {path} (ошибка 3): Системе не удается найти указанный путь",
     "one", (120, 2880), 3),
    ("volume", 600, None, "Внутренняя ошибка (600)", "one", (300, 3 * 1440), 6),
    ("volume", 601, None, "Ошибка в структуре БД {name} (601)", "one", (300, 3 * 1440), 4),
    ("volume", 603, None, "Запись не найдена (603)", "one", (10, 120), 6),
    ("volume", 610, None, "Объект заблокирован (610): документ изменен или редактируется", "one", (10, 60), 5),
    ("volume", 696, None, "Ошибка 696 (Area: 0012, Atr: 0431)", "one", (600, 2 * 1440), 3),
    ("volume", 669, None, "Ошибка в структуре БД {name} (0)", "one", (600, 2 * 1440), 2),
    ("operup", 793, None, "Пакет уже добавлен, пропущен (793)", "one", (600, 1440), 10),
    ("operup", 792, None, "Пакет предназначен для разделов с другим номером обновления, пропущен (792)",
     "one", (600, 2880), 4),
    ("operup", 970, None, "Пакет не содержит описания, пропущен (970)", "one", (300, 1440), 3),
    ("volume", None, None, "Invalid protect string", "some", (600, 3 * 1440), 4),
]
ERR_2021 = ("product", 2021, 4110, "Ошибка защиты (2021): истек срок действия лицензии")
ERR_613 = ("volume", 613, None, "Версия БД не поддерживается (613)")
ERR_OS5 = ("os", 5, None, "Не удалось открыть файл {path} (ошибка 5): Отказано в доступе")
NO_CODE_CONNECTED = ("volume", None, None, "Том базы данных уже подключен")


@dataclass(slots=True)
class Episode:
    kind: str
    start: datetime
    end: datetime
    data: dict = field(default_factory=dict)

    def covers(self, t: datetime) -> bool:
        return self.start <= t < self.end


class Episodes:
    """The episodes of one installation, generated month by month on demand."""

    def __init__(self, inst):
        self.inst = inst
        self._months: dict[date, list[Episode]] = {}

    def month(self, first: date) -> list[Episode]:
        found = self._months.get(first)
        if found is None:
            found = self._months[first] = self._generate(first)
        return found

    def overlapping(self, a: datetime, b: datetime, kind: str | None = None) -> list[Episode]:
        """Episodes (of `kind`) that intersect [a, b)."""
        first = a.astimezone(self.inst.zone).date().replace(day=1)
        last = b.astimezone(self.inst.zone).date().replace(day=1)
        months, cur = [], prev_month(first)
        while cur <= last:
            months.append(cur)
            cur = (cur.replace(day=28) + timedelta(days=4)).replace(day=1)
        return [e for m in months for e in self.month(m)
                if (kind is None or e.kind == kind) and e.start < b and e.end > a]

    def active(self, t: datetime, kind: str | None = None) -> list[Episode]:
        return self.overlapping(t, t + timedelta(microseconds=1), kind)

    # ---- generation ------------------------------------------------------------------------------

    def _generate(self, first: date) -> list[Episode]:
        inst = self.inst
        r = rng(inst.seed, inst.index, "episodes", first.isoformat())
        days = ((first.replace(day=28) + timedelta(days=4)).replace(day=1) - first).days
        found = []
        for kind, rate in RATES.items():
            if kind == "key_loss" and inst.key_kind != "SenseLock":
                continue
            if kind == "long_maintenance" and inst.maintenance is None:
                continue
            if kind == "auth401" and not inst.status_enabled:
                continue
            for _ in range(poisson(r, rate)):
                found.append(self._one(r, kind, first + timedelta(days=r.randrange(days))))
        found.extend(self._upgrade_episodes(r, first))
        found.extend(self._planted(first))
        found.sort(key=lambda e: (e.start, e.kind))
        return found

    def _at(self, day: date, seconds: float) -> datetime:
        local = datetime.combine(day, time(), tzinfo=self.inst.zone).astimezone(UTC)
        return local + timedelta(seconds=int(seconds))

    def _one(self, r, kind: str, day: date) -> Episode:
        inst = self.inst
        if kind == "key_loss":
            # Mostly after hours: OS updates and USB-forwarding licences fail at night (cases S1, S4).
            hour = r.uniform(18, 26) if r.random() < 0.6 else r.uniform(8, 18)
            start = self._at(day, hour * 3600)
            minutes = lognormal_minutes(r, 150, 0.7, 40, 600)
            code = 4113 if inst.licman else 4111
            return Episode(kind, start, start + timedelta(minutes=minutes), {"code": code})
        if kind == "down":
            start = self._at(day, r.uniform(0, 24) * 3600)
            return Episode(kind, start, start + timedelta(minutes=lognormal_minutes(r, 25, 1.0, 5, 360)))
        if kind == "long_maintenance":
            begin, _ = inst.maintenance
            start = self._at(day, begin)
            return Episode(kind, start, start + timedelta(hours=r.uniform(3.2, 6)))
        if kind == "db_error":
            return self._db_error(r, day)
        if kind == "search_errors":
            start = self._at(day, r.uniform(9, 16) * 3600)
            return Episode(kind, start, start + timedelta(hours=r.uniform(1, 3)))
        spans = {"operup_stall": (2, 12), "disk_fill": (4, 20), "auth401": (1, 10), "silent": (1, 5)}[kind]
        start = self._at(day, r.uniform(0, 24) * 3600)
        data = {"floor_gb": r.uniform(2, 8)} if kind == "disk_fill" else {}
        return Episode(kind, start, start + timedelta(days=r.uniform(*spans)), data)

    def _db_error(self, r, day: date, variant=None) -> Episode:
        inst = self.inst
        table = [(row, row[-1]) for row in DB_ERRORS
                 if row[0] != "os" or row[1] not in (53, 64, 67) or _on_share(inst)]
        group, code, alias, message, scope, (low, high), _w = variant or weighted(r, table)
        volumes = [v for v in inst.volumes]
        if scope == "one":
            volumes = [r.choice(volumes)]
        elif scope == "some":
            volumes = r.sample(volumes, r.randint(1, len(volumes)))
        start = self._at(day, r.uniform(0, 24) * 3600)
        end = start + timedelta(minutes=r.uniform(low, high))
        return Episode("db_error", start, end, {"error": (group, code, alias, message), "volumes": tuple(volumes)})

    def _upgrade_episodes(self, r, first: date) -> list[Episode]:
        inst = self.inst
        found = []
        for moment, _version in inst.versions[1:]:
            if moment.astimezone(inst.zone).date().replace(day=1) != first:
                continue
            ur = rng(inst.seed, inst.index, "upgrade", moment.isoformat())
            if ur.random() < 0.3:
                vols = tuple(ur.sample(list(inst.volumes), ur.randint(1, len(inst.volumes))))
                found.append(Episode("db_error", moment, moment + timedelta(hours=ur.uniform(6, 30)),
                                     {"error": ERR_613, "volumes": vols}))
            if ur.random() < 0.12:
                found.append(Episode("silent", moment, moment + timedelta(days=ur.uniform(2, 6))))
                found.append(Episode("db_error", moment, moment + timedelta(days=ur.uniform(2, 5)),
                                     {"error": ERR_OS5, "volumes": tuple(inst.volumes)}))
                found.append(Episode("operup_stall", moment, moment + timedelta(days=ur.uniform(4, 8))))
        return found

    def _planted(self, first: date) -> list[Episode]:
        inst = self.inst
        if not inst.plant or inst.plant[0] == "expiry":
            return []
        kind, offset = inst.plant
        start = inst.now + timedelta(days=offset)
        if start.astimezone(inst.zone).date().replace(day=1) != first:
            return []
        if kind == "operup_stall":
            return [Episode(kind, start, start + timedelta(days=9))]
        if kind == "key_loss" and inst.key_kind == "SenseLock":
            return [Episode(kind, start, start + timedelta(hours=4), {"code": 4113 if inst.licman else 4111})]
        if kind == "db2007":
            vols = tuple(inst.volumes[: max(1, len(inst.volumes) // 2)])
            return [Episode("db_error", start, start + timedelta(days=3),
                            {"error": DB_ERRORS[0][:4], "volumes": vols})]
        return []


def _on_share(inst) -> bool:
    return any(path.startswith("\\\\") for _, path in inst.volumes)
