"""One simulated K/TE server: installation i of a Fleet behind real HTTP (see docs/standins.md)."""
import asyncio
import base64
import secrets
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape

from smart.simulator.fleet.status import ERROR_PAGE_401, HELP, _metrics
from smart.simulator.fleet.sysinfo import ERROR_PAGE_503

from .http import (BLACKHOLE, NO_ANSWER, REFUSE, SERVE, Listener, Raw, Request, Response, html, merge_faults,
                   redirect, text)

UTC = timezone.utc
SEAT_HOLD = timedelta(hours=24)
SMARTLOGIN = "smartlogin"
EXTRA_USERS = 5  # ordinary users beyond the seats, so that seats can run out
FAULTS = ("maintenance", "need_support", "server_error", "key_lost", "seats_exhausted", "db_error", "slow",
          "refused", "proxy_down", "proxy_timeout", "licman_down", "smartlogin_rejected", "no_sysmon_right",
          "sysinfo_error_page", "connect_timeout", "read_timeout", "spp_down")
NUMERIC = {"slow": 1.0, "proxy_timeout": 1.0}
METRICS_TTL = 10  # seconds the fleet's metric lines are reused (faults and seats are applied fresh)


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body>{body}</body></html>")


def nginx_page(status: int, reason: str) -> Response:
    body = (f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} "
            f"{reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
    return Response(status, [("Content-Type", "text/html"), ("Server", "nginx")], body.encode())


MAINTENANCE = html(ERROR_PAGE_503, 503)
SERVER_ERROR = html(page("500", "<h1>Внутренняя ошибка сервера</h1>"), 500)
FORBIDDEN = html(page("403", "<h1>Недостаточно прав</h1>"), 403)
NOT_FOUND = html(page("404", "<h1>Страница не найдена</h1>"), 404)
SYSINFO_ERROR = html(page("Ошибка", '<div class="error">Ошибка формирования отчёта sysinfo: '
                                    "сервер не смог собрать сведения о системе</div>"))
LOGIN_FORM = ('<form id="login-form" method="post" action="/users/login">'
              '<input type="text" name="login"><input type="password" name="password">'
              '<button type="submit">Войти</button></form>')
LOGIN_PAGE = html(page("Вход", LOGIN_FORM))
LOGIN_ERROR = html(page("Вход", '<div class="login-error">Неверное имя пользователя или пароль</div>'
                        + LOGIN_FORM))
NO_SEATS = html(page("Кодекс", '<div class="login-error" id="no-free-seats">Нет свободных рабочих мест</div>'))


class KteServer:
    """K/TE instance `name` rendering installation `index` of `fleet`; `clock()` gives the aware now."""

    def __init__(self, name: str, fleet, index: int, clock, *, password: str | None = None,
                 host: str = "127.0.0.1", port: int = 0, proxy_port: int | None = None,
                 licman_port: int | None = None, seats_total: int | None = None):
        self.name, self.fleet, self.index, self.clock = name, fleet, index, clock
        self.password = password if password is not None else f"sl-{name}"
        self.installation = inst = fleet.installation(index)
        self.seats_total = seats_total if seats_total is not None else inst.seats_at(clock())
        self.faults: dict = {}
        self.sessions: dict[str, str] = {}  # KSESSION token -> login
        self.seat_holders: dict[str, datetime] = {}  # login -> seat held until
        self.logins = self.requests = self.denied = 0
        self.listener = Listener(self.handle, host, port, server_header="Kodeks")
        self.proxy = None if proxy_port is None else Listener(self.forward, host, proxy_port, server_header="nginx")
        self.licman = None if licman_port is None else Listener(None, host, licman_port, on_connect=_licman)
        self._metrics_cache: dict = {}
        legal = escape(inst.legal_name)
        main = (f'<div id="kodeks-main"><h1>Кодекс/Техэксперт</h1><p class="client">{legal}</p>'
                '<ul class="catalogues"><li><a href="/docs/search">Поиск</a></li>'
                '<li><a href="/docs/news">Новости</a></li></ul></div>')
        banner = ('<div class="kodeks-service-message">Требуется обслуживание сервера: '
                  "обратитесь к администратору системы</div>")
        self._main = html(page("Кодекс/Техэксперт", main))
        self._need_support = html(page("Кодекс/Техэксперт", banner + main))

    # ---- lifecycle and faults ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self.listener.port

    async def start(self) -> None:
        for listener in (self.listener, self.proxy, self.licman):
            if listener is not None:
                await listener.start()

    async def close(self) -> None:
        for listener in (self.listener, self.proxy, self.licman):
            if listener is not None:
                await listener.stop()

    async def set_faults(self, changes: dict) -> None:
        merge_faults(self.faults, changes, FAULTS, NUMERIC)
        mode = REFUSE if "refused" in self.faults else BLACKHOLE if "connect_timeout" in self.faults else SERVE
        await self.listener.set_mode(mode)
        if self.licman is not None:
            await self.licman.set_mode(REFUSE if "licman_down" in self.faults else SERVE)

    def seats_used(self) -> int:
        self._expire_seats()
        return self.seats_total if "seats_exhausted" in self.faults else len(self.seat_holders)

    def state(self) -> dict:
        return {"port": self.port, "proxy_port": self.proxy and self.proxy.port,
                "licman_port": self.licman and self.licman.port, "faults": dict(self.faults),
                "seats_used": self.seats_used(), "seats_total": self.seats_total,
                "seat_holders": sorted(self.seat_holders), "logins": self.logins, "requests": self.requests,
                "installation": self.installation.name, "index": self.index,
                "version": self.installation.version_at(self.clock()), "password": self.password}

    # ---- accounts ------------------------------------------------------------------------------------

    def _check(self, login: str, password: str) -> bool:
        if login == SMARTLOGIN:
            return password == self.password and "smartlogin_rejected" not in self.faults
        return _ordinary(login, self.seats_total) and password == login

    def _rights(self, login: str) -> set:
        if login != SMARTLOGIN:
            return set()
        return {"docs", "sysinfo"} | (set() if "no_sysmon_right" in self.faults else {"metrics"})

    def _expire_seats(self) -> None:
        now = self.clock()
        for login in [k for k, until in self.seat_holders.items() if until <= now]:
            del self.seat_holders[login]

    def _take_seat(self, login: str) -> bool:
        """A session's /docs visit holds a seat for its user (24 h from the last visit, as K/TE does)."""
        self._expire_seats()
        if login not in self.seat_holders and self.seats_used() >= self.seats_total:
            self.denied += 1
            return False
        self.seat_holders[login] = self.clock() + SEAT_HOLD
        return True

    # ---- HTTP ----------------------------------------------------------------------------------------

    async def handle(self, request: Request):
        self.requests += 1
        faults = self.faults
        if faults:
            if "slow" in faults:
                await asyncio.sleep(faults["slow"])
            if "read_timeout" in faults:
                return NO_ANSWER
        path, method = request.path.rstrip("/") or "/", request.method
        if path == "/":
            return redirect("/docs")
        if path == "/docs":
            return self._docs(request)
        if path == "/users/login":
            if "maintenance" in faults:  # nobody signs in during maintenance (A §2.3: auth reads 0, normal)
                return MAINTENANCE
            return self._login(request) if method == "POST" else LOGIN_PAGE
        if path == "/users/logout":
            self.sessions.pop(request.cookies.get("KSESSION", ""), None)
            return redirect("/users/login", [("Set-Cookie", "KSESSION=; Path=/; Max-Age=0")])
        if path == "/admin/state":
            return self._admin_state(request)
        if path == "/sysinfo/si_save_request":
            return self._sysinfo(request) if method == "POST" else text("Method Not Allowed", 405)
        if path == "/sysmon/metrics":
            return self._sysmon(request)
        if path == "/sysinfo/metrics":
            now = self.clock()
            body = "\n".join(self._apply_faults(self._fleet_metrics(now, sysmon=False), legacy=True) + [""])
            return text(body, headers=[("Date", format_datetime(now, usegmt=True))])
        return NOT_FOUND

    def _docs(self, request: Request) -> Response:
        faults = self.faults
        if "maintenance" in faults:
            return MAINTENANCE
        if "server_error" in faults:
            return SERVER_ERROR
        login = self.sessions.get(request.cookies.get("KSESSION", ""))
        if login is not None and not self._take_seat(login):
            return NO_SEATS
        return self._need_support if "need_support" in faults else self._main

    def _login(self, request: Request) -> Response:
        login, password = request.form.get("login", ""), request.form.get("password", "")
        if not self._check(login, password):
            return LOGIN_ERROR
        token = secrets.token_urlsafe(18)
        self.sessions[token] = login
        self.logins += 1
        return redirect("/docs", [("Set-Cookie", f"KSESSION={token}; Path=/; HttpOnly")])

    def _user(self, request: Request, right: str):
        """(login, None) for a session with `right`, else (None, the answer to give)."""
        login = self.sessions.get(request.cookies.get("KSESSION", ""))
        if login is None:
            return None, redirect("/users/login")
        if right not in self._rights(login):
            return None, FORBIDDEN
        return login, None

    def _admin_state(self, request: Request) -> Response:
        login, refusal = self._user(request, "docs")
        if refusal:
            return refusal
        faults, now = self.faults, self.clock()
        warnings = [text_ for fault, text_ in WARNINGS if fault in faults]
        rows = (f'<tr><th>Версия сервера</th><td id="version">{self.installation.version_at(now)}</td></tr>'
                f'<tr><th>Ключ защиты</th><td id="key-state">{"не найден" if "key_lost" in faults else "найден"}'
                f'</td></tr><tr><th>Занято рабочих мест</th><td id="seats-used">{self.seats_used()}</td></tr>'
                f'<tr><th>Всего рабочих мест</th><td id="seats-total">{self.seats_total}</td></tr>')
        notes = "".join(f'<p class="warning">{w}</p>' for w in warnings)
        return html(page("Состояние сервера", f'<table id="server-state">{rows}</table>'
                                              f'<div id="warnings">{notes}</div>'))

    def _sysinfo(self, request: Request) -> Response:
        login, refusal = self._user(request, "sysinfo")
        if refusal:
            return refusal
        if "sysinfo_error_page" in self.faults:
            return SYSINFO_ERROR
        if request.form.get("type", "zip") != "zip":
            return html(page("Ошибка", "<h1>Неизвестный тип отчёта</h1>"), 400)
        data = self.fleet.sysinfo_zip(self.index, self.clock())
        name = self.installation.name
        return Response(200, [("Content-Type", "application/zip"),
                              ("Content-Disposition", f'attachment; filename="{name}.zip"')], data)

    def _sysmon(self, request: Request) -> Response:
        now = self.clock()
        if not self.installation.has_sysmon(now):
            return NOT_FOUND
        login, _, password = _basic(request.headers.get("authorization", ""))
        if login is None or not self._check(login, password):
            return html(ERROR_PAGE_401, 401, [("WWW-Authenticate", 'Basic realm="sysmon"')])
        if "metrics" not in self._rights(login):
            return FORBIDDEN
        server_time = now + timedelta(seconds=self.installation.clock_skew)
        body = "\n".join(self._apply_faults(self._fleet_metrics(now, sysmon=True)) + [""])
        # lower-case `date:` as K/TE's /sysmon sends it (smartstatus greps for it, E22)
        return text(body, headers=[("date", format_datetime(server_time.replace(microsecond=0), usegmt=True))])

    def _fleet_metrics(self, now: datetime, sysmon: bool) -> list:
        maintenance = "maintenance" in self.faults
        key = (int(now.timestamp()) // METRICS_TTL, sysmon, maintenance)
        lines = self._metrics_cache.get(key)
        if lines is None:
            lines = _metrics(self.fleet, self.index, now.replace(microsecond=0), maintenance, sysmon).lines
            self._metrics_cache = {key: lines}
        return lines

    def _apply_faults(self, lines: list, legacy: bool = False) -> list:
        """The fleet's metric lines with the stand-in's seats, licence manager and faults."""
        faults = self.faults
        maintenance = "maintenance" in faults
        state = None if maintenance else "key_not_found" if "key_lost" in faults else \
            "db_errors" if "db_error" in faults else None
        out = []
        for line in lines:
            name = line.split("{", 1)[0].split(" ", 1)[0]
            if name == "kserver_need_support" and "need_support" in faults and not maintenance:
                line = "kserver_need_support 1"
            elif name == "kserver_seats_total":
                line = f"kserver_seats_total {self.seats_total}"
            elif name == "kserver_seats_used" and not maintenance:
                line = f"kserver_seats_used {self.seats_used()}"
            elif name == "kserver_key_present" and "key_lost" in faults:
                line = _set_value(line, 0)
            elif name == "kserver_main_page" and "key_lost" in faults:
                line = _set_value(line, 1)
            elif name == "kserver_product_control" and state:
                line = _set_value(line.rsplit('status="', 1)[0] + f'status="{state}"}} 0', 1)
            elif name == "kserver_licman_up" and not line.startswith("#"):
                if self.licman is not None:
                    continue  # replaced by the stand-in's own licence manager below
                if "licman_down" in faults:
                    line = _set_value(line, 0)
            elif name == "kserver_spp_up" and "spp_down" in faults:
                line = _set_value(line, 0)
            elif name == "kserver_db_errors" and line.startswith('kserver_db_errors{code="2007"}') \
                    and "db_error" in faults:
                continue  # re-added below with the fault's value
            out.append(line)
            if name == "kserver_key_present" and self.licman is not None and not line.startswith("#"):
                up = 0 if "licman_down" in faults else 1
                out += _family("kserver_licman_up", f'{{host="{self.licman.host}:{self.licman.port}"}} {up}', out)
        if "db_error" in faults and not legacy:
            out = _insert_db_error(out)
        return out

    # ---- reverse proxy -------------------------------------------------------------------------------

    async def forward(self, request: Request) -> Response:
        faults = self.faults
        if "proxy_down" in faults:
            return nginx_page(502, "Bad Gateway")
        if "proxy_timeout" in faults:
            await asyncio.sleep(faults["proxy_timeout"])
            return nginx_page(504, "Gateway Time-out")
        if self.listener.mode != SERVE:
            return nginx_page(502, "Bad Gateway")
        answer = await self.handle(request)
        if answer is NO_ANSWER:
            await asyncio.sleep(NUMERIC["proxy_timeout"])
            return nginx_page(504, "Gateway Time-out")
        if isinstance(answer, Raw):
            return nginx_page(502, "Bad Gateway")
        headers = [(k, v) for k, v in answer.headers if k.lower() != "server"] + [("Server", "nginx")]
        return Response(answer.status, headers, answer.body)


WARNINGS = (("maintenance", "Сервер на обслуживании"), ("key_lost", "Ключ защиты не найден"),
            ("need_support", "Требуется обслуживание сервера"), ("db_error", "Ошибка базы данных 2007"),
            ("seats_exhausted", "Нет свободных рабочих мест"))


async def _licman(reader, writer) -> None:
    """The licence manager only has to accept: SMART checks that the TCP port answers."""
    writer.close()


def _ordinary(login: str, seats_total: int) -> bool:
    number = login[4:]
    return login.startswith("user") and number.isdigit() and 1 <= int(number) <= seats_total + EXTRA_USERS


def _basic(header: str):
    """(login, ":", password) from an HTTP Basic header, or (None, None, None)."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None, None, None
    try:
        return base64.b64decode(value.strip()).decode("utf-8").partition(":")
    except ValueError:
        return None, None, None


def _set_value(line: str, value) -> str:
    return f"{line.rsplit(' ', 1)[0]} {value}"


def _family(name: str, sample: str, out: list) -> list:
    """HELP/TYPE (unless already emitted) and one sample of `name`."""
    kind, doc = HELP[name]
    head = [] if f"# TYPE {name} {kind}" in out else [f"# HELP {name} {doc}", f"# TYPE {name} {kind}"]
    return head + [name + sample]


def _insert_db_error(lines: list) -> list:
    """Add `kserver_db_errors{code="2007"} 1` inside its family (or as a new family before the volumes)."""
    sample = 'kserver_db_errors{code="2007"} 1'
    samples = [k for k, line in enumerate(lines) if line.startswith("kserver_db_errors{")]
    if samples:
        return lines[:samples[0]] + [sample] + lines[samples[0]:]
    at = next((k for k, line in enumerate(lines) if line == "# HELP kserver_volumes " + HELP["kserver_volumes"][1]),
              len(lines))
    return lines[:at] + _family("kserver_db_errors", '{code="2007"} 1', []) + lines[at:]
