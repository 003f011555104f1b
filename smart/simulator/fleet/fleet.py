"""The Fleet: N simulated installations, their reports at any instant, and back-fill schedules."""
import heapq
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone

from smart.formats.model import SysinfoReport

from . import installation as installation_module
from .activity import Activity
from .episodes import Episodes
from .rand import unit
from .status import status_bytes
from .sysinfo import ERROR_PAGE_503, build_report, maintenance_at, zip_report

UTC = timezone.utc
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
DEFAULT_WINDOW = timedelta(hours=2)  # the search log / refusals a sysinfo carries: the last two hours

# Back-fill thinning (see thin_history): (age limit, step). Old months keep one sysinfo a day taken at
# ~23:xx local, so each carries the day's whole search log and nearly the day's final counters.
SYSINFO_TIERS = ((timedelta(days=7), HOUR), (timedelta(days=35), timedelta(hours=6)), (None, DAY))
STATUS_TIERS = ((timedelta(days=2), timedelta(minutes=15)), (timedelta(days=7), HOUR),
                (timedelta(days=35), timedelta(hours=6)))


class Fleet:
    """A deterministic fleet of installations.

    `seed` fixes everything; installation i depends only on (seed, i, start, now), not on the fleet's
    size. `start` is the beginning of the simulated history (population, versions and back-fill are
    anchored on it); `now` (default start + 396 days, 12:00 UTC) is where the planted episodes sit:
    licences expiring in 2/7/25 days, a stalled operup, a lost key, a 2007 DB error.
    """

    def __init__(self, seed=1, installations: int = 30, start: date = date(2025, 1, 1),
                 now: datetime | None = None, distributor: str = "DEMOkodeks"):
        if installations < 0:
            raise ValueError("installations must be >= 0")
        self.seed = seed
        self.size = installations
        self.start = start
        self.now = (now or datetime.combine(start + timedelta(days=396), time(12), tzinfo=UTC)).astimezone(UTC)
        self.distributor = distributor
        self._installations: dict = {}
        self._activity: dict = {}
        self._episodes: dict = {}

    def __len__(self) -> int:
        return self.size

    # ---- parts --------------------------------------------------------------------------------------

    def installation(self, i: int):
        """The fixed traits of installation i (built once, cached)."""
        found = self._installations.get(i)
        if found is None:
            if not 0 <= i < self.size:
                raise IndexError(f"installation {i} not in a fleet of {self.size}")
            found = self._installations[i] = installation_module.build(self.seed, i, self.start, self.now)
        return found

    def episodes(self, i: int) -> Episodes:
        found = self._episodes.get(i)
        if found is None:
            found = self._episodes[i] = Episodes(self.installation(i))
        return found

    def activity(self, i: int) -> Activity:
        found = self._activity.get(i)
        if found is None:
            found = self._activity[i] = Activity(self.installation(i), self.episodes(i))
        return found

    def name(self, i: int) -> str:
        return self.installation(i).name

    def names(self) -> list[str]:
        return [self.name(i) for i in range(self.size)]

    # ---- reports ------------------------------------------------------------------------------------

    def sysinfo_at(self, i: int, instant: datetime, window: timedelta = DEFAULT_WINDOW) -> SysinfoReport:
        """The normalized sysinfo of installation i at `instant` (aware)."""
        _aware(instant)
        return build_report(self, i, instant, window)

    def sysinfo_zip(self, i: int, instant: datetime, window: timedelta = DEFAULT_WINDOW) -> bytes:
        """`<NAME>.zip` as smartupload uploads it (XML, or SQLite for ~5 % of installations)."""
        return zip_report(self.installation(i), self.sysinfo_at(i, instant, window))

    def status_at(self, i: int, instant: datetime) -> bytes:
        """`<NAME>.status` as smartstatus uploads it at `instant`."""
        _aware(instant)
        return status_bytes(self, i, instant)

    def sysinfo_upload(self, i: int, instant: datetime, window: timedelta = DEFAULT_WINDOW) -> bytes | None:
        """What smartupload sends at `instant`: the zip, K/TE's 503 page during maintenance (half the
        time; else nothing), or nothing while the server is down or the agent silent."""
        eps = self.episodes(i)
        if eps.active(instant, "silent") or eps.active(instant, "down"):
            return None
        if maintenance_at(self.installation(i), eps, instant):
            if unit(self.seed, i, "sysinfo503", instant.isoformat()) < 0.5:
                return ERROR_PAGE_503.encode()
            return None
        return self.sysinfo_zip(i, instant, window)

    def status_upload(self, i: int, instant: datetime) -> bytes | None:
        """What smartstatus sends at `instant` (nothing without smartstatus or while the agent is silent)."""
        inst = self.installation(i)
        if not inst.status_enabled or self.episodes(i).active(instant, "silent"):
            return None
        return self.status_at(i, instant)

    # ---- history ------------------------------------------------------------------------------------

    def schedule(self, i: int, start: datetime, end: datetime, step: timedelta, kind: str = "sysinfo") -> list:
        """Run instants of installation i's script in [start, end): every `step` (a divisor of a day)
        on the local clock, at the installation's own minute, phased so that daily runs fall at ~23:xx."""
        inst = self.installation(i)
        seconds = int(_step(step).total_seconds())
        if seconds <= 0 or 86400 % seconds:
            raise ValueError("step must divide a day")
        offset = inst.sysinfo_offset if kind == "sysinfo" else inst.status_offset
        phase = (23 * 3600 + offset) % seconds
        act = self.activity(i)
        day, last = act.split(start)[0] - DAY, act.split(end)[0]
        found = []
        while day <= last:
            midnight = act.midnight(day)
            for k in range(phase, 86400, seconds):
                moment = midnight + timedelta(seconds=k)
                if start <= moment < end:
                    found.append(moment)
            day += DAY
        return found

    def history(self, i: int, start: datetime, end: datetime, every: timedelta = HOUR,
                status_every: timedelta | None = timedelta(minutes=15), *, sysinfo_instants=None,
                status_instants=None) -> Iterator[tuple[datetime, str, str, bytes]]:
        """(instant, kind, upload file name, bytes) for what installation i uploads in [start, end),
        in time order; kind is "sysinfo" or "status". Each sysinfo carries the searches since the
        previous one (at least DEFAULT_WINDOW). A failed fetch re-uploads the previous file at the
        installations that do that (E2)."""
        _aware(start)
        _aware(end)
        every, status_every = _step(every), _step(status_every)
        name = self.name(i)
        si, st = sysinfo_instants, status_instants
        if si is None:
            si = self.schedule(i, start, end, every) if every else []
        if st is None:
            st = self.schedule(i, start, end, status_every, "status") if status_every else []
        merged = heapq.merge(((t, "sysinfo") for t in si), ((t, "status") for t in st))
        previous_at, previous = None, None
        for moment, kind in merged:
            if kind == "status":
                data = self.status_upload(i, moment)
                if data is not None:
                    yield moment, "status", f"{name}.status", data
                continue
            window = max(DEFAULT_WINDOW, moment - previous_at) if previous_at else max(DEFAULT_WINDOW, every or HOUR)
            data = self.sysinfo_upload(i, moment, window)
            if data is not None and data.startswith(b"PK"):
                previous_at, previous = moment, data
            elif data is None and previous is not None and self.installation(i).stale_reupload \
                    and not self.episodes(i).active(moment, "silent"):
                data = previous  # the fetch failed and the script sent the old file again
            if data is not None:
                yield moment, "sysinfo", f"{name}.zip", data

    def thin_history(self, i: int, end: datetime, months: int = 13, sysinfo_tiers=SYSINFO_TIERS,
                     status_tiers=STATUS_TIERS) -> Iterator[tuple[datetime, str, str, bytes]]:
        """A back-fill of `months` months before `end`, thinned by age: sysinfo hourly for the last
        week, every 6 h to 35 days, daily (~23:xx local) before; status every 15 min for two days,
        hourly to a week, every 6 h to 35 days, none older. Counters stay exact (they are month-to-date
        at any instant) and the search log stays complete (each report carries the searches since the
        previous one); only the time resolution of sessions and point-in-time states drops."""
        begin = end - timedelta(days=round(months * 30.44))
        return self.history(i, begin, end, sysinfo_instants=self.thin_schedule(i, begin, end, sysinfo_tiers),
                            status_instants=self.thin_schedule(i, begin, end, status_tiers, "status"))

    def thin_schedule(self, i: int, begin: datetime, end: datetime, tiers=SYSINFO_TIERS, kind: str = "sysinfo") -> list:
        """Run instants in [begin, end) with the step of each age tier ((age limit | None, step), newest first)."""
        found, upper = [], end
        for age, step in tiers:
            lower = begin if age is None else max(begin, end - age)
            if lower < upper:
                found = self.schedule(i, lower, upper, step, kind) + found
            upper = min(upper, lower)
        return found


def _step(value) -> timedelta | None:
    """A step given as a timedelta or as seconds (0 or None: none)."""
    if value is None or isinstance(value, timedelta):
        return value or None
    return timedelta(seconds=value) if value else None


def _aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
