"""What the users of one installation do, day by day, and the counters that follows from it.

A day is simulated once (and cached): who comes to work, their K/TE sessions (work hours, lunch,
short visits), seat contention (refused logins when every seat is taken), outages that cut sessions,
the day's total of each counter per user, and the instants of their searches. Any instant of that day
then reads as:

- counter(t) = month total before the day + floor(day total x session time elapsed / session time),
  which is exact integer arithmetic, monotonic in t, equal to the day total at the day's end, and the
  same whichever report asks; searches are counted event by event, so the counter equals the number
  of search-log entries up to t;
- sessions(t) = the sessions that cover t; refusals and searches in a window = the events in it.

Month totals are chained day by day from the 1st (local calendar of the installation), so they reset
at local midnight of the 1st. Only recent days are kept in memory (LRU); everything is recomputable.
"""
import bisect
import heapq
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from . import vocab
from .calendar import HOLIDAY, PREHOLIDAY, WEEKEND, WORKDAY, day_kind, month_end_factor, season_factor
from .rand import lognormal_minutes, poisson, rng

UTC = timezone.utc
COUNTERS = ("db_requests", "kassist_requests", "documents_opened", "documents_free", "services",
            "link_follows", "saves", "prints")
RATES = (0.8, 0.15, 0.55, 0.2, 0.3, 0.7, 0.12, 0.04)  # per session hour at intensity 1
SEARCH_RATE = 0.5
N_FIELDS = len(COUNTERS) + 3  # + searches, searches_intelligent, searches_attribute
DAY_FACTOR = {WORKDAY: 1.0, PREHOLIDAY: 0.9, WEEKEND: 0.05, HOLIDAY: 0.03}
LAST_LOGIN_DAYS = 120  # the server's session log depth: older last logins are not reported
DAY_CACHE = 48


@dataclass(slots=True)
class UserDay:
    user: int
    sessions: list  # [(start s, end s, ip)] seconds after local midnight, sorted by start
    totals: list  # one per COUNTERS
    search_times: list  # seconds after local midnight, sorted
    search_attr: list  # True = attribute search, else intelligent
    seconds: int = 0  # total session time

    def elapsed(self, sec: int) -> int:
        return sum(min(e, sec) - s for s, e, _ in self.sessions if s < sec)

    def values_at(self, sec: int) -> list:
        """This day's contribution to each counter at `sec` (the N_FIELDS layout)."""
        done = self.elapsed(sec) if sec < 86400 else self.seconds
        out = [t * done // self.seconds for t in self.totals] if self.seconds else [0] * len(self.totals)
        n = bisect.bisect_right(self.search_times, sec)
        attr = sum(self.search_attr[:n])
        return out + [n, n - attr, attr]


@dataclass(slots=True)
class DayActivity:
    day: date
    midnight: datetime  # local midnight in UTC
    users: dict  # user idx -> UserDay
    refusals: list  # [(sec, user idx, code, reason)] sorted
    details: dict = field(default_factory=dict)  # user idx -> [search detail tuples], lazily
    classes: dict | None = None  # result class -> sorted search seconds, lazily (status counters)

    def at(self, sec: int) -> datetime:
        return self.midnight + timedelta(seconds=sec)


class Activity:
    """Day simulations and counters of one installation."""

    def __init__(self, inst, episodes):
        self.inst = inst
        self.episodes = episodes
        self._days: OrderedDict = OrderedDict()
        self._cum: OrderedDict = OrderedDict()
        self._chain = None  # (anchor, next day, {user: last login}) for last-login lookups
        self.covers_legal = any(p[1] == "legal" for p in inst.products)
        self.covers_tech = any(p[1] == "tech" for p in inst.products)

    # ---- per day --------------------------------------------------------------------------------

    def day(self, d: date) -> DayActivity:
        found = self._days.get(d)
        if found is not None:
            self._days.move_to_end(d)
            return found
        found = self._simulate(d)
        self._days[d] = found
        if len(self._days) > DAY_CACHE:
            self._days.popitem(last=False)
        return found

    def midnight(self, d: date) -> datetime:
        return datetime.combine(d, time(), tzinfo=self.inst.zone).astimezone(UTC)

    def split(self, t: datetime) -> tuple[date, int]:
        """Local date and seconds after local midnight of instant `t`."""
        local = t.astimezone(self.inst.zone)
        return local.date(), local.hour * 3600 + local.minute * 60 + local.second

    def factor(self, d: date) -> float:
        """How much of the usual workday crowd shows up on day `d`."""
        f = DAY_FACTOR[day_kind(d)] * month_end_factor(d) * season_factor(d)
        if self.inst.profile == "seasonal" and d.month not in self.inst.season:
            f *= 0.04
        return f

    def _simulate(self, d: date) -> DayActivity:
        inst = self.inst
        r = rng(inst.seed, inst.index, "day", d.isoformat())
        kind = day_kind(d)
        working = kind in (WORKDAY, PREHOLIDAY)
        f = self.factor(d)
        midnight = self.midnight(d)
        outages = [(max(0, _seconds(e.start - midnight)), min(86400, _seconds(e.end - midnight)))
                   for e in self.episodes.overlapping(midnight, midnight + timedelta(days=1))
                   if e.kind in ("down", "key_loss")]
        wanted = []  # (start, end, user, ip)
        refusals = []
        kassist_on = inst.kassist_since is not None and d >= inst.kassist_since
        for u in inst.users_on(d):
            if u.leaves_on is not None and d >= u.leaves_on:
                continue
            if r.random() >= min(0.98, u.presence * f):
                continue
            for s, e in _cut(self._plan(r, u, working, kind), outages):
                wanted.append((s, e, u.idx, u.ip))
            if u.second_ip and r.random() < 0.5:  # the colleague who uses the same login
                s = int(r.uniform(9.5, 16) * 3600)
                for s2, e2 in _cut([(s, s + int(r.uniform(0.5, 2) * 3600))], outages):
                    wanted.append((s2, e2, u.idx, u.second_ip))
            if r.random() < 0.01 and wanted and wanted[-1][2] == u.idx:
                refusals.append((max(0, wanted[-1][0] - 60), u.idx, None, "auth"))
        sessions = self._contend(r, wanted, inst.seats_at(midnight + timedelta(hours=12)), refusals)
        users = {}
        for s, e, idx, ip in sorted(sessions):
            ud = users.get(idx)
            if ud is None:
                ud = users[idx] = UserDay(idx, [], [], [], [])
            ud.sessions.append((s, e, ip))
        for idx in sorted(users):
            ud = users[idx]
            u = inst.users[idx]
            ud.seconds = sum(e - s for s, e, _ in ud.sessions)
            hours = ud.seconds / 3600 * u.intensity
            ud.totals = [poisson(r, rate * hours) if (k != 1 or (kassist_on and u.kassist)) else 0
                         for k, rate in enumerate(RATES)]
            n = poisson(r, SEARCH_RATE * hours)
            stamps = sorted(_place(r.random() * ud.seconds, ud.sessions) for _ in range(n))
            ud.search_times = stamps
            ud.search_attr = [r.random() < 0.15 for _ in stamps]
        refusals.sort()
        return DayActivity(d, midnight, users, refusals)

    @staticmethod
    def _plan(r, u, working: bool, kind: str) -> list:
        """The K/TE sessions a present user would like to have (before outages and seat limits)."""
        if not working:  # a weekend or holiday visit
            s = r.uniform(10, 15) * 3600
            return [(int(s), int(s + r.uniform(0.3, 3) * 3600))]
        arrive = u.work_start + r.gauss(0, 1500)
        leave = arrive + u.work_len * r.uniform(0.8, 1.05) - (3600 if kind == PREHOLIDAY else 0)
        windows = [(arrive, leave)]
        if u.lunch:
            lunch = r.uniform(12, 13.5) * 3600
            windows = [(arrive, lunch), (lunch + r.uniform(30, 60) * 60, leave)]
        windows = [(s, e) for s, e in windows if e - s > 300]
        if not windows:
            return []
        if u.allday:
            return [(int(s), int(e)) for s, e in windows]
        planned = []
        for _ in range(r.randint(1, 3)):
            s, e = r.choice(windows)
            length = lognormal_minutes(r, 40, 0.7, 8, 180) * 60
            begin = r.uniform(s, max(s, e - length))
            planned.append((int(begin), int(min(e, begin + length))))
        return _merge(planned)

    @staticmethod
    def _contend(r, wanted: list, seats: int, refusals: list) -> list:
        """Seat contention: a login without a free seat is refused (2008) and retried up to 3 times."""
        attempts = [(s, n, 0, s, e, idx, ip) for n, (s, e, idx, ip) in enumerate(wanted)]
        heapq.heapify(attempts)
        busy, accepted, seq = [], [], len(wanted)
        while attempts:
            at, _n, tries, _s, e, idx, ip = heapq.heappop(attempts)
            while busy and busy[0] <= at:
                heapq.heappop(busy)
            if at >= e:
                continue
            if len(busy) < seats:
                heapq.heappush(busy, e)
                accepted.append((at, e, idx, ip))
                continue
            refusals.append((at, idx, 2008, "no_free_seats"))
            if tries < 3:
                seq += 1
                heapq.heappush(attempts, (at + int(r.uniform(10, 40) * 60), seq, tries + 1, _s, e, idx, ip))
        return accepted

    # ---- month-to-date counters -----------------------------------------------------------------

    def month_before(self, d: date) -> dict:
        """Per-user counters accumulated from the 1st of d's month up to (not including) day d."""
        if d.day == 1:
            return {}
        found = self._cum.get(d)
        if found is not None:
            return found
        todo, cur = [], d
        while cur.day != 1 and cur not in self._cum:
            todo.append(cur)
            cur -= timedelta(days=1)
        base = {} if cur.day == 1 else self._cum[cur]
        for nxt in reversed(todo):
            prev = self.day(nxt - timedelta(days=1))
            acc = _add_day({k: v[:] for k, v in base.items()}, prev, 86400)
            self._remember(nxt, acc)
            base = acc
        return base

    def _remember(self, d: date, value: dict) -> None:
        self._cum[d] = value
        if len(self._cum) > DAY_CACHE:
            self._cum.popitem(last=False)

    def counters_at(self, t: datetime) -> tuple[date, dict]:
        """(first day of the counter period, {user idx: N_FIELDS values}) at instant t."""
        d, sec = self.split(t)
        acc = _add_day({k: v[:] for k, v in self.month_before(d).items()}, self.day(d), sec)
        return d.replace(day=1), {k: v for k, v in acc.items() if any(v)}

    # ---- instants and windows -------------------------------------------------------------------

    def sessions_at(self, t: datetime) -> list:
        """[(user idx, start instant, ip)] of the sessions holding a seat at t."""
        d, sec = self.split(t)
        day = self.day(d)
        return [(idx, day.at(s), ip) for idx, ud in day.users.items() for s, e, ip in ud.sessions if s <= sec < e]

    def _days_between(self, a: datetime, b: datetime):
        d, last = self.split(a)[0], self.split(b)[0]
        while d <= last:
            yield self.day(d)
            d += timedelta(days=1)

    def refusals_between(self, a: datetime, b: datetime) -> list:
        """[(instant, user idx, code, reason)] with a < instant <= b."""
        return [(day.at(s), idx, code, reason) for day in self._days_between(a, b)
                for s, idx, code, reason in day.refusals if a < day.at(s) <= b]

    def searches_between(self, a: datetime, b: datetime) -> list:
        """[(instant, user idx, text, type, catalogue, source, results, duration, error)], a < instant <= b."""
        found = []
        for day in self._days_between(a, b):
            lo = int((a - day.midnight).total_seconds())
            hi = int((b - day.midnight).total_seconds())
            for idx, ud in day.users.items():
                start = bisect.bisect_right(ud.search_times, lo)
                stop = bisect.bisect_right(ud.search_times, hi)
                if start < stop:
                    details = self._details(day, ud)
                    found.extend(details[start:stop])
        found.sort(key=lambda row: (row[0], row[1]))
        return found

    def counts_between(self, a: datetime, b: datetime) -> tuple[dict, dict]:
        """({reason: refusals}, {found|empty|error: searches}) with a < instant <= b (status counters)."""
        refused = {"no_free_seats": 0, "auth": 0}
        searched = {"found": 0, "empty": 0, "error": 0}
        for day in self._days_between(a, b):
            lo = int((a - day.midnight).total_seconds())
            hi = int((b - day.midnight).total_seconds())
            for s, _idx, _code, reason in day.refusals:
                if lo < s <= hi:
                    refused[reason] += 1
            if day.classes is None:
                classes = {"found": [], "empty": [], "error": []}
                for ud in day.users.values():
                    for row in self._details(day, ud):
                        sec = int((row[0] - day.midnight).total_seconds())
                        classes["error" if row[8] else ("empty" if row[6] == 0 else "found")].append(sec)
                day.classes = {k: sorted(v) for k, v in classes.items()}
            for k, times in day.classes.items():
                searched[k] += bisect.bisect_right(times, hi) - bisect.bisect_right(times, lo)
        return refused, searched

    def _details(self, day: DayActivity, ud: UserDay) -> list:
        cached = day.details.get(ud.user)
        if cached is not None:
            return cached
        inst, u = self.inst, self.inst.users[ud.user]
        r = rng(inst.seed, inst.index, "queries", day.day.isoformat(), ud.user)
        broken = [(e.start, e.end) for e in self.episodes.overlapping(day.midnight, day.midnight + timedelta(days=1),
                                                                      "search_errors")]
        kassist_on = u.kassist and inst.kassist_since is not None and day.day >= inst.kassist_since
        rows = []
        for sec, attr in zip(ud.search_times, ud.search_attr):
            at = day.at(sec)
            text, kind = _query(r, inst.tech_interest)
            covered = {"legal": self.covers_legal, "tech": self.covers_tech}.get(kind, False)
            p_empty = inst.empty_base if covered else (0.75 if kind != "bad" else 0.8)
            empty = r.random() < p_empty
            error = r.random() < (0.6 if any(s <= at < e for s, e in broken) else 0.002)
            results = 0 if empty or error else int(r.lognormvariate(3, 1.5)) + 1
            if empty:
                duration = r.uniform(10, 90)  # empty searches always exceed 10 s (C §10)
            else:
                duration = r.lognormvariate(-0.1, 0.9) * (8 if len(text) > 40 else 1)
            source = "kassist" if kassist_on and r.random() < 0.15 else "ksrv"
            rows.append((at, ud.user, text, "attribute" if attr else "intelligent", u.catalogue, source,
                         results, round(duration, 2), error))
        day.details[ud.user] = rows
        return rows

    # ---- last login -----------------------------------------------------------------------------

    def last_logins(self, t: datetime) -> dict:
        """{user idx: last session start <= t} within the last LAST_LOGIN_DAYS days."""
        d, sec = self.split(t)
        chain = self._chain
        if chain is None or chain[0] > d - timedelta(days=LAST_LOGIN_DAYS) or chain[1] > d:
            anchor = d - timedelta(days=LAST_LOGIN_DAYS)
            chain = (anchor, anchor, {})
        anchor, cur, seen = chain
        while cur < d:
            day = self.day(cur)
            for idx, ud in day.users.items():
                seen[idx] = day.at(ud.sessions[-1][0])
            cur += timedelta(days=1)
        self._chain = (anchor, cur, seen)
        oldest = self.midnight(d - timedelta(days=LAST_LOGIN_DAYS))
        result = {idx: at for idx, at in seen.items() if at >= oldest}
        today = self.day(d)
        for idx, ud in today.users.items():
            starts = [s for s, _e, _ip in ud.sessions if s <= sec]
            if starts:
                result[idx] = today.at(max(starts))
        return result

    # ---- kAssist link statistics ----------------------------------------------------------------

    def kassist_days(self, d: date) -> list:
        """[(day, unique, unmatched, all, active)] for the 7 complete days before d (days with links)."""
        inst = self.inst
        if inst.kassist_since is None:
            return []
        users = sum(1 for u in inst.users if u.kassist)
        rows = []
        for back in range(7, 0, -1):
            day = d - timedelta(days=back)
            if day < inst.kassist_since:
                continue
            r = rng(inst.seed, inst.index, "kassist", day.isoformat())
            unique = poisson(r, users * 1.2 * self.factor(day))
            if unique == 0:
                continue
            total = unique + poisson(r, unique * 0.4)
            rows.append((day, unique, int(unique * r.uniform(0, 0.2)), total, poisson(r, total * 0.8)))
        return rows


def _seconds(delta: timedelta) -> int:
    return int(delta.total_seconds())


def _merge(spans: list) -> list:
    out = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _cut(spans: list, outages: list) -> list:
    """`spans` minus the outage intervals (nobody works while the server or its key is gone)."""
    for os_, oe in outages:
        nxt = []
        for s, e in spans:
            if oe <= s or os_ >= e:
                nxt.append((s, e))
                continue
            if s < os_:
                nxt.append((s, os_))
            if oe < e:
                nxt.append((oe, e))
        spans = nxt
    return [(s, e) for s, e in spans if e - s >= 60 and 0 <= s and e <= 86400]


def _place(x: float, sessions: list) -> int:
    """The clock second at `x` seconds of cumulative session time."""
    for s, e, _ in sessions:
        if x < e - s:
            return int(s + x) + 1
        x -= e - s
    return sessions[-1][1]


def _query(r, tech_interest: float) -> tuple[str, str]:
    roll = r.random()
    kind = "bad" if roll < 0.07 else ("tech" if roll < 0.07 + tech_interest else "legal")
    if r.random() < 0.75 or kind == "bad":
        pool = [q for q in vocab.QUERIES if q[1] == kind]
        text = r.choice(pool)[0]
    else:
        template = r.choice([q for q in vocab.QUERY_TEMPLATES if q[1] == kind])[0]
        text = template.format(n2=r.randint(10, 99), n3=r.randint(100, 999), n4=r.randint(1000, 9999),
                               n5=r.randint(10000, 99999), yy=r.randint(70, 99), yyyy=r.randint(2000, 2025))
    if r.random() < 0.15:
        text = text.lower()
    return text, kind


def _add_day(acc: dict, day, sec: int) -> dict:
    """Add each user's counters of `day` up to local second `sec` into acc ({user idx: values})."""
    for idx, ud in day.users.items():
        vals = ud.values_at(sec)
        row = acc.get(idx)
        if row is None:
            acc[idx] = vals
        else:
            for k in range(N_FIELDS):
                row[k] += vals[k]
    return acc
