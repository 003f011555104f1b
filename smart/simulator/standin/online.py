"""One simulated online-access host: several catalogue folders and accounts on one port (docs/standins.md)."""
import asyncio
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from html import escape
from zoneinfo import ZoneInfo

from smart.simulator import demo
from smart.simulator.fleet import vocab
from smart.simulator.fleet.rand import poisson, rng

from .http import BLACKHOLE, NO_ANSWER, REFUSE, SERVE, Listener, Raw, Request, html, merge_faults, redirect

UTC = timezone.utc
MOSCOW = ZoneInfo("Europe/Moscow")
KINDS = ("documents", "search", "print", "export")
TITLES = {"documents": "Просмотр документов", "search": "Поисковые запросы", "print": "Печать",
          "export": "Экспорт"}
BILLABLE = {"document": "documents", "search": "search", "print": "print", "export": "export"}
FAULTS = ("wrong_password", "refused", "connect_timeout", "read_timeout", "server_error", "garbage",
          "redirect_loop", "page_changed", "slow")
NUMERIC = {"slow": 1.0}
GARBAGE = b"\x16\x03\x01\x00\xa5 KODEKS-ONLINE GATEWAY \xff\xfe not http at all\r\n\r\n"
USE_RATES = {"documents": 2.0, "search": 1.0, "print": 0.2, "export": 0.1}  # units per account per tick


@dataclass
class Account:
    login: str
    password: str
    folder: str
    limits: dict
    left: dict = field(default_factory=dict)
    consumed_by_http: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def spend(self, kind: str, n: int = 1) -> int:
        spent = min(n, self.left[kind])
        self.left[kind] -= spent
        return spent


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body>{body}</body></html>")


def default_accounts(seed, number: int) -> list[dict]:
    """The first host carries the demo registry's online accesses; others get generated ones."""
    if number == 0:
        return [{"login": login, "password": password, "folder": f"docs{i % 2 + 1}"}
                for i, (_firm, login, password) in enumerate(demo.ONLINE)]
    r = rng(seed, "online-accounts", number)
    return [{"login": f"client{number}_{j}", "password": f"op-client{number}_{j}", "folder": f"docs{j % 3 + 1}"}
            for j in range(r.randint(3, 6))]


class OnlineServer:
    """An online-access host `name`. `clock()` is the host's aware now; `set_now` shifts this one's."""

    def __init__(self, name: str, clock, *, seed=1, number: int = 0, accounts: list[dict] | None = None,
                 host: str = "127.0.0.1", port: int = 0, use_interval: float | None = None):
        self.name, self.seed, self._clock = name, seed, clock
        self.offset = timedelta(0)
        self.faults: dict = {}
        self.sessions: dict[str, str] = {}  # OSESSION token -> login
        self.requests = self.billable_hits = 0
        self.recorded: dict = {}  # (folder, date) -> [(instant, login, text, type, found)]
        self.use_interval = use_interval
        self._rng = random.Random(f"{seed}:{name}:use")
        self._ticker: asyncio.Task | None = None
        self.listener = Listener(self.handle, host, port, server_header="nginx")
        now = self.now()
        self.created = now
        self.period = _period(now)
        self.accounts: dict[str, Account] = {}
        for spec in accounts if accounts is not None else default_accounts(seed, number):
            self.accounts[spec["login"]] = self._account(spec, now)
        self.folders = sorted({a.folder for a in self.accounts.values()})

    def _account(self, spec: dict, now: datetime) -> Account:
        r = rng(self.seed, self.name, "limits", spec["login"])
        limits = spec.get("limits") or {"documents": r.choice([1000, 2000, 3000, 5000]),
                                        "search": r.choice([300, 500, 1000, 2000]),
                                        "print": r.choice([100, 200, 500]), "export": r.choice([50, 100, 300])}
        local = now.astimezone(MOSCOW)
        month_part = (local.day - 1 + local.hour / 24) / 31  # some of this month is already used up
        rate = r.uniform(0.2, 0.9)
        left = {k: max(0, v - round(v * month_part * rate * r.uniform(0.5, 1.0))) for k, v in limits.items()}
        return Account(spec["login"], spec["password"], spec["folder"], dict(limits), left)

    # ---- clock, counters, lifecycle ------------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock() + self.offset

    def set_now(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("now must carry a time zone")
        self.offset = instant - self._clock()
        self._check_month()

    def _check_month(self) -> None:
        """Counters come back to their limits on the 1st of the month (Moscow time of this host's clock)."""
        period = _period(self.now())
        if period != self.period:
            self.period = period
            for account in self.accounts.values():
                account.left = dict(account.limits)

    def use(self, login: str, counts: dict) -> None:
        """Simulated use of `login`: spend units (searches are also written to the history)."""
        self._check_month()
        account = self.accounts.get(login)
        if account is None:
            raise KeyError(f"no account {login!r} on {self.name}")
        bad = [k for k in counts if k not in KINDS]
        if bad:
            raise ValueError(f"unknown counter(s) {', '.join(bad)}; known: {', '.join(KINDS)}")
        for kind, n in counts.items():
            spent = account.spend(kind, int(n))
            if kind == "search":
                for _ in range(spent):
                    self._record(account, *_query(self._rng))

    def _record(self, account: Account, query: str, kind: str, found: int) -> None:
        now = self.now()
        rows = self.recorded.setdefault((account.folder, now.astimezone(MOSCOW).date()), [])
        rows.append((now, account.login, query, kind, found))

    @property
    def port(self) -> int:
        return self.listener.port

    async def start(self) -> None:
        await self.listener.start()
        if self.use_interval:
            self._ticker = asyncio.create_task(self._tick())

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        await self.listener.stop()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.use_interval)
            for account in self.accounts.values():
                self.use(account.login, {k: poisson(self._rng, lam) for k, lam in USE_RATES.items()})

    async def set_faults(self, changes: dict) -> None:
        merge_faults(self.faults, changes, FAULTS, NUMERIC)
        mode = REFUSE if "refused" in self.faults else BLACKHOLE if "connect_timeout" in self.faults else SERVE
        await self.listener.set_mode(mode)

    def state(self) -> dict:
        self._check_month()
        return {"port": self.port, "faults": dict(self.faults), "now": self.now().isoformat(),
                "requests": self.requests, "billable_hits": self.billable_hits, "folders": self.folders,
                "accounts": {a.login: {"folder": a.folder, "password": a.password,
                                       "counters": {k: {"left": a.left[k], "limit": a.limits[k]} for k in KINDS},
                                       "consumed_by_http": dict(a.consumed_by_http)}
                             for a in self.accounts.values()}}

    # ---- HTTP ----------------------------------------------------------------------------------------

    async def handle(self, request: Request):
        self.requests += 1
        faults = self.faults
        if faults:
            if "slow" in faults:
                await asyncio.sleep(faults["slow"])
            if "read_timeout" in faults:
                return NO_ANSWER
            if "garbage" in faults:
                return Raw(GARBAGE)
            if "server_error" in faults:
                return html(page("500", "<h1>Внутренняя ошибка сервера</h1>"), 500)
            if "redirect_loop" in faults:
                return redirect(request.path)
        self._check_month()
        parts = [p for p in request.path.split("/") if p]
        if not parts:
            links = "".join(f'<li><a href="/{f}/login">{f}</a></li>' for f in self.folders)
            return html(page("Онлайн-доступ", f"<h1>Онлайн-доступ</h1><ul>{links}</ul>"))
        folder, rest = parts[0], parts[1:]
        if folder not in self.folders:
            return _not_found()
        action = rest[0] if rest else "login"
        if action == "login":
            return self._login(request, folder) if request.method == "POST" else _login_page(folder)
        account = self._session(request, folder)
        if action == "logout":
            self.sessions.pop(request.cookies.get("OSESSION", ""), None)
            return redirect(f"/{folder}/login", [("Set-Cookie", "OSESSION=; Path=/; Max-Age=0")])
        if action in BILLABLE:
            self.billable_hits += 1
        if account is None:
            return redirect(f"/{folder}/login")
        if action == "profile" and len(rest) == 1:
            return html(page("Профиль", self._profile(account)))
        if action == "history" and len(rest) == 1:
            return self._history(folder, request.query.get("date", ""))
        if action in BILLABLE and (len(rest) == 2 or action == "search"):
            return self._billable(account, BILLABLE[action], request)
        return _not_found()

    def _session(self, request: Request, folder: str) -> Account | None:
        account = self.accounts.get(self.sessions.get(request.cookies.get("OSESSION", ""), ""))
        return account if account is not None and account.folder == folder else None

    def _login(self, request: Request, folder: str):
        account = self.accounts.get(request.form.get("login", ""))
        if account is None or account.folder != folder or "wrong_password" in self.faults \
                or account.password != request.form.get("password", ""):
            return _login_page(folder, error=True)
        token = secrets.token_urlsafe(18)
        self.sessions[token] = account.login
        return redirect(f"/{folder}/profile", [("Set-Cookie", f"OSESSION={token}; Path=/; HttpOnly")])

    def _profile(self, a: Account) -> str:
        if "page_changed" in self.faults:  # the vendor redesigned the page: no table, no data-counter
            items = "".join(f'<div class="limit-card" data-kind="{k}"><span class="title">{TITLES[k]}</span>'
                            f'<span class="remaining">{a.left[k]} из {a.limits[k]}</span></div>' for k in KINDS)
            return f'<h1>Личный кабинет: {escape(a.login)}</h1><div class="billing-v2">{items}</div>'
        rows = "".join(f'<tr data-counter="{k}"><td class="name">{TITLES[k]}</td><td class="left">{a.left[k]}</td>'
                       f'<td class="limit">{a.limits[k]}</td></tr>' for k in KINDS)
        return (f'<h1>Профиль: {escape(a.login)}</h1><table id="billing"><tr><th>Услуга</th><th>Осталось</th>'
                f"<th>Лимит</th></tr>{rows}</table>")

    def _history(self, folder: str, raw: str):
        now = self.now()
        try:
            day = date.fromisoformat(raw) if raw else now.astimezone(MOSCOW).date()
        except ValueError:
            return html(page("Ошибка", "<h1>Неверная дата</h1>"), 400)
        rows = [row for row in self._generated(folder, day) if row[0] < min(now, self.created)]
        rows = sorted(rows + [r for r in self.recorded.get((folder, day), []) if r[0] <= now])
        cells = "".join(
            f'<tr class="query"><td class="time">{t.astimezone(MOSCOW):%Y-%m-%d %H:%M:%S}</td>'
            f'<td class="user">{escape(user)}</td><td class="text">{escape(q)}</td><td class="type">{kind}</td>'
            f'<td class="found">{found}</td></tr>' for t, user, q, kind, found in rows)
        return html(page("История запросов", f"<h1>История запросов за {day:%d.%m.%Y}</h1>"
                                             '<table id="search-history"><tr><th>Время</th><th>Пользователь</th>'
                                             f"<th>Запрос</th><th>Вид</th><th>Найдено</th></tr>{cells}</table>"))

    def _generated(self, folder: str, day: date) -> list:
        """The searches done in `folder` on `day` before the stand-in started (deterministic)."""
        logins = sorted(a.login for a in self.accounts.values() if a.folder == folder)
        r = rng(self.seed, self.name, folder, "history", day.isoformat())
        count = poisson(r, 12 if day.weekday() < 5 else 1)
        midnight = datetime.combine(day, time(), tzinfo=MOSCOW)
        rows = []
        for _ in range(count):
            moment = midnight + timedelta(seconds=r.randint(8 * 3600, 19 * 3600))
            rows.append((moment.astimezone(UTC), r.choice(logins), *_query(r)))
        return rows

    def _billable(self, account: Account, kind: str, request: Request):
        """What SMART must never call: each call spends a unit and is counted."""
        if account.spend(kind) == 0:
            return html(page("Лимит исчерпан", '<div class="error">Лимит исчерпан</div>'), 403)
        account.consumed_by_http[kind] += 1
        if kind == "search":
            self._record(account, request.query.get("q", ""), "интеллектуальный", 1)
        return html(page(TITLES[kind], f'<div class="document">{TITLES[kind]}: выполнено</div>'))


def _period(now: datetime) -> tuple:
    local = now.astimezone(MOSCOW)
    return local.year, local.month


def _query(r: random.Random) -> tuple[str, str, int]:
    """(query text, search type, documents found) of one simulated search."""
    text_, kind = r.choice(vocab.QUERIES)
    empty = r.random() < (0.8 if kind == "bad" else 0.05)
    search_type = "атрибутный" if r.random() < 0.15 else "интеллектуальный"
    return text_, search_type, 0 if empty else r.randint(1, 500)


def _login_page(folder: str, error: bool = False):
    note = '<div class="error" id="login-error">Неверный логин или пароль</div>' if error else ""
    form = (f'{note}<form id="login-form" method="post" action="/{folder}/login">'
            '<input type="text" name="login"><input type="password" name="password">'
            '<button type="submit">Войти</button></form>')
    return html(page("Вход", form))


def _not_found():
    return html(page("404", "<h1>Страница не найдена</h1>"), 404)
