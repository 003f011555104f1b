"""The online-access scraper: signs in to a client's simple online access (`scheme://host/folder`) with the
client's own login, reads the four billing counters (hourly, check "billing") or one day's search history
(nightly, check "searches"), and signs out. What it expects of the pages is data: `pages/online.json`.

Billing-unit guarantee: SMART never spends a unit of the client's billing. Only the login, profile,
history and logout pages are requested, and every request (each redirect hop too: redirects are followed
by hand) is first checked against the billable patterns of `pages/online.json` (document, search, print,
export) and refused with `BillableRequestRefused` before anything is sent. Clients made by `make_client`
carry the same check as an httpx request hook, so no request through them can reach a billable page.
Comparing counters before and after a session would take extra logins, so the guarantee is this guard.
A refusal fails the check with a detail starting with GUARD_REFUSED: the internal alert
SmartScraperConsumedUnits looks for it in the check samples.

Failures are classified into the online-access error kinds: LoginPasswordError, ConnectionTimeout,
ReadTimeOut, OtherErrorCode400+, HTTPError, RequestException, ConnectionError, and UnexpectedPage (the
vendor changed a page: a selector of `pages/online.json` no longer matches; the detail names it).
"""
import asyncio
import hashlib
import logging
import posixpath
import re
import socket
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cache
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import httpx
from django.db import transaction
from lxml import etree, html

from .models import Check, OnlineCounters, OnlineSearch
from .pages import load
from .results import Result
from .targets import DEFAULT_PORTS, connect_to

log = logging.getLogger(__name__)
UTC = timezone.utc
DEFAULT_TIMEOUT = (10.0, 30.0)  # connect, read (s)
PAGES_FILE = "pages/online.json"
REDIRECTS = (301, 302, 303, 307, 308)
COUNTERS = ("documents", "search", "print", "export")
GUARD_REFUSED = "billing guard: "  # how the detail of a refused billable request begins (an interface)


class BillableRequestRefused(RuntimeError):
    """A request to a billable page (document, search, print, export): refused before it is sent."""


class UnexpectedPage(Exception):
    """A page no longer matches what pages/online.json expects."""


class LoginRejected(Exception):
    """The site refused the login and password (the argument is its message)."""


class HttpStatus(Exception):
    """An answer with a status >= 400."""


@dataclass
class OnlineTarget:
    online_access_id: int | None
    dealer_id: int | None
    base_url: str  # where connections go: scheme://host[:port] (SMART_CONNECT_TO applied)
    folder: str
    login: str
    password: str = field(repr=False)
    host: str = ""  # the registered host[:port]; sent as the Host header when base_url points elsewhere

    @classmethod
    def from_access(cls, access) -> "OnlineTarget":
        scheme = (access.scheme or "https").lower()
        host = (access.host or "").strip().rstrip("/")
        if "://" in host:
            scheme, host = host.split("://", 1)
        name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
        port = int(port) if port.isdigit() else DEFAULT_PORTS.get(scheme, 443)
        c_scheme, c_host, c_port, _ = connect_to(scheme, name or host, port)
        netloc = c_host if c_port == DEFAULT_PORTS.get(c_scheme) else f"{c_host}:{c_port}"
        return cls(online_access_id=access.pk, dealer_id=access.dealer_id, base_url=f"{c_scheme}://{netloc}",
                   folder=(access.folder or "").strip().strip("/"), login=access.login,
                   password=access.password or "", host=host)

    @property
    def host_header(self) -> str | None:
        """The registered host[:port] when connections go elsewhere (SMART_CONNECT_TO), else None."""
        netloc = httpx.URL(self.base_url).netloc.decode("ascii").lower()
        return self.host if self.host and self.host.lower() != netloc else None

    def url(self, name: str) -> str:
        path = load("online")["paths"][name].replace("{folder}", quote(self.folder, safe="/"))
        return self.base_url.rstrip("/") + path


# ---- the billing-unit guard ---------------------------------------------------------------------------

@cache
def _billable_patterns() -> tuple:
    return tuple(re.compile(p, re.IGNORECASE) for p in load("online")["billable"]["patterns"])


def _normalise(path: str) -> str:
    path = path.split("?", 1)[0].split("#", 1)[0]
    for _ in range(3):  # %2564ocument and friends
        path, before = unquote(path), path
        if path == before:
            break
    path = re.sub(r";[^/]*", "", path.replace("\\", "/"))  # matrix parameters (;jsessionid=…)
    return posixpath.normpath("/" + re.sub(r"/+", "/", path).lstrip("/")).lower()


def billable_pattern(path: str, folder: str | None = None) -> str | None:
    """The billable pattern a request path matches, or None. Every segment-aligned tail of the path below
    `folder` is tried, so `/f/x/document/1` or `/other/print/1` are refused too (refusing costs nothing:
    SMART needs only login, profile, history and logout). Without a folder the whole path is searched."""
    path = _normalise(path)
    if folder:
        base = _normalise(folder)
        if path == base or path.startswith(base + "/"):
            path = path[len(base):] or "/"
    for i in (i for i, ch in enumerate(path) if ch == "/"):
        for pattern in _billable_patterns():
            if pattern.match(path[i:]):
                return pattern.pattern
    return None


def check_billable(url: httpx.URL, method: str = "GET", folder: str | None = None) -> None:
    pattern = billable_pattern(url.raw_path.decode("ascii", "replace"), folder)
    if pattern:
        raise BillableRequestRefused(f"refused {method} {url.path}: a billable page ({pattern}) that would "
                                     "spend one of the client's units")


def make_client(folder: str | None = None, timeout=DEFAULT_TIMEOUT, **kwargs) -> httpx.AsyncClient:
    """An httpx client whose request hook refuses billable paths before anything is sent."""
    async def guard(request: httpx.Request):
        check_billable(request.url, request.method, folder)

    kwargs.setdefault("headers", {"User-Agent": load("online")["user_agent"]})
    return httpx.AsyncClient(timeout=_timeout(timeout), follow_redirects=False,
                             event_hooks={"request": [guard]}, **kwargs)


def _timeout(timeout) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    connect, read = timeout
    return httpx.Timeout(read, connect=connect)


# ---- pages ----------------------------------------------------------------------------------------------

def _xpath(key: str) -> str:
    xpaths = load("online")["xpaths"]
    return xpaths["history_cells"][key[14:]] if key.startswith("history_cells.") else xpaths[key]


def _missing(where: str, key: str, extra: str = "") -> UnexpectedPage:
    return UnexpectedPage(f"{where} changed: nothing matches xpaths.{key}{extra} = {_xpath(key)} ({PAGES_FILE})")


def _text(node) -> str:
    return " ".join((node if isinstance(node, str) else node.text_content()).split())


@dataclass
class Page:
    url: httpx.URL
    status: int
    doc: object  # lxml root, or None when the body is empty or not HTML

    def find(self, key: str, node=None, **variables) -> list:
        root = self.doc if node is None else node
        return [] if root is None else root.xpath(_xpath(key), **variables)

    @classmethod
    def parse(cls, url: httpx.URL, status: int, body: bytes, content_type: str) -> "Page":
        doc = None
        if body.strip():
            try:
                doc = html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", _decode(body, content_type)))
            except (etree.ParserError, ValueError):
                pass
        return cls(url, status, doc)


def _decode(body: bytes, content_type: str) -> str:
    match = re.search(r"charset=[\"']?([\w.-]+)", content_type, re.I) or re.search(
        rb"<meta[^>]+charset=[\"']?([\w.-]+)", body[:4096], re.I)
    declared = match.group(1) if match else None
    for encoding in (declared.decode("ascii") if isinstance(declared, bytes) else declared, "utf-8", "cp1251"):
        try:
            if encoding:
                return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", "replace")


class Session:
    """The requests of one scrape: its own cookie jar (a shared client's jar is never read, so sessions
    of different accesses cannot mix), redirects followed by hand through the guard, bodies capped."""

    def __init__(self, target: OnlineTarget, client: httpx.AsyncClient, timeout: httpx.Timeout):
        self.target, self.client, self.timeout = target, client, timeout
        self.pages = load("online")
        self.jar = httpx.Cookies()
        self.code = 0  # status of the last answer
        self.last = ""  # "METHOD /path" of the last request, for details

    @property
    def signed_in(self) -> bool:
        return any(c.name == self.pages["session_cookie"] for c in self.jar.jar)

    def _request(self, method: str, url, data=None, params=None) -> httpx.Request:
        headers = {"User-Agent": self.pages["user_agent"], "Accept": "text/html,*/*"}
        request = httpx.Request(method, url, params=params, data=data, headers=headers,
                                extensions={"timeout": self.timeout.as_dict()})
        registered = self.target.host_header
        if registered and request.url.netloc == httpx.URL(self.target.base_url).netloc:
            request.headers["Host"] = registered  # SMART_CONNECT_TO: keep the registered name
            if request.url.scheme == "https":
                request.extensions["sni_hostname"] = registered.rsplit(":", 1)[0]
        self.jar.set_cookie_header(request)
        return request

    async def fetch(self, method: str, url, data=None, params=None, check_status: bool = True) -> Page:
        request, hops = self._request(method, url, data, params), self.pages.get("max_redirects", 10)
        for _ in range(hops + 1):
            check_billable(request.url, request.method, self.target.folder)
            self.last = f"{request.method} {request.url.path}"
            response = await self.client.send(request, stream=True, follow_redirects=False)
            try:
                self.code = response.status_code
                self.jar.extract_cookies(response)
                location = response.headers.get("location")
                if response.status_code in REDIRECTS and location:
                    url = request.url.join(location)  # a form is re-sent (307/308) to its own origin only
                    same = response.status_code in (307, 308) and url.netloc == request.url.netloc
                    request = self._request(request.method if same else "GET", url, data if same else None)
                    continue
                body, cap = bytearray(), self.pages.get("max_page_bytes", 16 << 20)
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > cap:
                        raise UnexpectedPage(f"{self.last}: the page is larger than {cap} bytes")
            finally:
                await response.aclose()
            page = Page.parse(request.url, response.status_code, bytes(body), response.headers.get("content-type", ""))
            return self.raise_for_status(page) if check_status else page
        raise httpx.TooManyRedirects(f"more than {hops} redirects", request=request)

    def raise_for_status(self, page: Page) -> Page:
        if page.status >= 400:
            hint = {404: " (check the folder of the access)", 500: " (an internal error of the site)",
                    502: " (the vendor's proxy cannot reach the site)",
                    503: " (the site is unavailable or in maintenance)"}.get(page.status, "")
            raise HttpStatus(f"{self.last} answered HTTP {page.status}{hint}")
        return page

    async def login(self) -> Page:
        t, fields = self.target, self.pages["login_fields"]
        page = await self.fetch("GET", t.url("login"))
        forms = page.find("login_form")
        if not forms:
            raise _missing("login page", "login_form")
        for name in fields.values():
            if not page.find("login_input", forms[0], name=name):
                raise _missing("login page", "login_input", f"[$name={name}]")
        page = await self.fetch("POST", t.url("login"), data={fields["login"]: t.login, fields["password"]: t.password},
                                check_status=False)
        if page.find("login_error"):
            raise LoginRejected(_text(page.find("login_error")[0]))
        self.raise_for_status(page)
        if not self.signed_in:
            raise UnexpectedPage(f"the login answered HTTP {page.status} with neither the session cookie "
                                 f"{self.pages['session_cookie']} nor xpaths.login_error ({PAGES_FILE})")
        return page

    async def logout(self) -> None:
        try:
            async with asyncio.timeout(min(10.0, self.timeout.read or 10.0)):
                await self.fetch("GET", self.target.url("logout"), check_status=False)
        except Exception as exc:  # noqa: BLE001 - signing out is best effort
            log.info("online access %s: logout failed: %r", self.target.online_access_id, exc)


# ---- the two checks -------------------------------------------------------------------------------------

async def scrape_billing(target: OnlineTarget, client: httpx.AsyncClient | None = None,
                         timeout=DEFAULT_TIMEOUT) -> Result:
    """Check "billing": sign in, read the four counters from the profile page, sign out."""
    async def work(session: Session) -> tuple[dict, str]:
        page = await session.login()  # a login normally lands on the profile
        if page.url.path != httpx.URL(target.url("profile")).path or not page.find("billing_table"):
            page = await session.fetch("GET", target.url("profile"))
        counters = parse_counters(page)
        return counters, "left/limit: " + ", ".join(f"{k} {v['left']}/{v['limit']}" for k, v in counters.items())
    return await _run(Check.BILLING, target, client, timeout, work)


async def scrape_searches(target: OnlineTarget, day: date, client: httpx.AsyncClient | None = None,
                          timeout=DEFAULT_TIMEOUT) -> Result:
    """Check "searches": sign in, read the search history of `day` (the site's local date), sign out."""
    async def work(session: Session) -> tuple[dict, str]:
        await session.login()
        param = load("online")["history_params"]["date"]
        page = await session.fetch("GET", target.url("history"), params={param["name"]: day.strftime(param["format"])})
        rows = parse_history(page)
        return {"rows": rows, "day": day.isoformat()}, f"{len(rows)} queries on {day.isoformat()}"
    return await _run(Check.SEARCHES, target, client, timeout, work)


async def _run(check: str, target: OnlineTarget, client, timeout, work) -> Result:
    at, started, timeout = datetime.now(UTC), time.perf_counter(), _timeout(timeout)
    own = client is None
    client = make_client(target.folder, timeout) if own else client
    session = Session(target, client, timeout)
    result = Result(check=str(check), ok=False, at=at, dealer_id=target.dealer_id,
                    online_access_id=target.online_access_id)
    try:
        try:  # a cap on the whole session: a site answering slowly to every request still fails in time
            async with asyncio.timeout(4 * ((timeout.connect or 10.0) + (timeout.read or 30.0))):
                result.data, result.detail = await work(session)
            result.ok, result.state = True, "ok"
        except Exception as exc:  # noqa: BLE001 - every failure is a result
            result.state, result.detail = classify(exc, target, session, timeout)
        result.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        result.code = session.code
        if session.signed_in:
            await session.logout()
    finally:
        if own:
            await client.aclose()
    result.detail = result.detail[:300]
    return result


def classify(exc: BaseException, target: OnlineTarget, session: Session, timeout: httpx.Timeout) -> tuple[str, str]:
    """(error kind, one line a technician can act on)."""
    where, last = target.host or target.base_url, session.last or "the first request"
    if isinstance(exc, LoginRejected):
        said = f": the site says «{exc}»" if str(exc) else ""
        return "LoginPasswordError", (f"login '{target.login}' rejected by {where}/{target.folder}{said}; "
                                      "check the login and password of the access")
    if isinstance(exc, UnexpectedPage):
        return "UnexpectedPage", str(exc)
    if isinstance(exc, etree.XPathError):
        return "UnexpectedPage", f"{last}: a selector of {PAGES_FILE} cannot be evaluated ({exc}); fix the file"
    if isinstance(exc, BillableRequestRefused):
        return "UnexpectedPage", f"{GUARD_REFUSED}{exc}; the site led there from {last} (nothing sent, no unit spent)"
    if isinstance(exc, HttpStatus):
        return "OtherErrorCode400+", str(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return "ConnectionTimeout", (f"no connection to {where} within {timeout.connect:g} s: the host is down "
                                     "or a firewall drops the packets")
    if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout)):
        return "ReadTimeOut", f"{last}: {where} accepted the connection but did not answer within {timeout.read:g} s"
    if isinstance(exc, TimeoutError):
        return "ReadTimeOut", f"{last}: {where} answers too slowly, the session did not finish in time"
    if isinstance(exc, (httpx.ProtocolError, httpx.DecodingError)):
        return "HTTPError", f"{last}: {where} did not answer valid HTTP ({type(exc).__name__}: {exc})"
    if isinstance(exc, httpx.ConnectError):
        causes, cause = [], exc
        while cause is not None and len(causes) < 10:
            causes, cause = causes + [type(cause)], cause.__cause__ or cause.__context__
        why = ("connection refused (nothing listens on the port)" if ConnectionRefusedError in causes else
               f"the name does not resolve ({exc})" if socket.gaierror in causes else str(exc) or type(exc).__name__)
        return "ConnectionError", f"cannot connect to {where}: {why}"
    if isinstance(exc, httpx.TooManyRedirects):
        return "RequestException", f"{last}: {where} redirects in a loop ({exc}); the site is misconfigured"
    if not isinstance(exc, (httpx.RequestError, httpx.InvalidURL, httpx.CookieConflict, ValueError)):
        log.exception("online access %s: unexpected failure", target.online_access_id)
    return "RequestException", f"{last}: {type(exc).__name__}: {exc} (check the host and folder of the access)"


# ---- reading the pages ----------------------------------------------------------------------------------

def _int(value: str, what: str) -> int | None:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", value)
    if re.fullmatch(r"-?\d+", cleaned):
        return int(cleaned)
    if value.strip().lower() in {v.lower() for v in load("online")["unlimited_values"]}:
        return None  # no limit / no value shown
    raise UnexpectedPage(f"{what}: '{value[:40]}' is not a number ({PAGES_FILE})")


def parse_counters(page: Page) -> dict:
    """{kind: {"left": int|None, "limit": int|None}} for the four counters of the profile page."""
    if not page.find("billing_table"):
        if page.find("login_form"):
            raise UnexpectedPage(f"the profile sent back to the login page: the session cookie "
                                 f"{load('online')['session_cookie']} was not accepted")
        raise _missing("profile page", "billing_table")
    counters = {}
    for kind in load("online")["counters"]:
        rows = page.find("counter_row", kind=kind)
        if not rows:
            raise _missing("profile page", "counter_row", f"[$kind={kind}]")
        counters[kind] = {}
        for part in ("left", "limit"):
            cells = page.find(f"counter_{part}", rows[0])
            if not cells:
                raise _missing("profile page", f"counter_{part}", f" in the {kind} row")
            counters[kind][part] = _int(_text(cells[0]), f"profile page, {kind} {part}")
    return counters


def parse_history(page: Page) -> list[dict]:
    """[{"at": aware UTC datetime, "login", "text", "search_type", "results"}] of the history page."""
    if not page.find("history_table"):
        raise _missing("history page", "history_table")
    pages = load("online")
    zone, fmt = ZoneInfo(pages["time_zone"]), pages["time_format"]
    rows = []
    for n, tr in enumerate(page.find("history_rows"), 1):
        row = {}
        for name in pages["xpaths"]["history_cells"]:
            found = page.find(f"history_cells.{name}", tr)
            if not found:
                raise _missing("history page", f"history_cells.{name}", f" in row {n}")
            row[name] = _text(found[0])
        try:
            row["at"] = datetime.strptime(row["at"], fmt).replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            raise UnexpectedPage(f"history page, row {n}: time '{row['at'][:40]}' does not match {fmt} "
                                 f"({PAGES_FILE})") from None
        row["results"] = _int(row["results"], f"history page, row {n}, results")
        rows.append(row)
    return rows


# ---- storing --------------------------------------------------------------------------------------------

def fingerprint(at: datetime, login: str, text: str, search_type: str) -> str:
    """The natural key of a history row: md5 of `at (UTC, ISO 8601)|login|text|type`."""
    return hashlib.md5(f"{at.astimezone(UTC).isoformat()}|{login}|{text}|{search_type}".encode()).hexdigest()


def _aware(value) -> datetime:
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def store_online(results: list[Result]) -> None:
    """OnlineCounters for ok "billing" results, new OnlineSearch rows for ok "searches" results (rows
    already stored are skipped by fingerprint: re-reading a night adds nothing). Samples and states of
    these checks are the check writer's business, not this function's."""
    counters, searches = [], {}
    for r in results:
        if not r.ok or r.online_access_id is None:
            continue
        if r.check == Check.BILLING:
            values = {f"{kind}_{part}": (r.data.get(kind) or {}).get(part) for kind in COUNTERS for part in ("left", "limit")}
            counters.append(OnlineCounters(online_access_id=r.online_access_id, at=r.at, **values))
        elif r.check == Check.SEARCHES:
            for row in r.data.get("rows", ()):
                at = _aware(row["at"])
                login, text, kind = row.get("login") or "", row.get("text") or "", row.get("search_type") or ""
                key = fingerprint(at, login, text, kind)
                searches[(r.online_access_id, key)] = OnlineSearch(
                    online_access_id=r.online_access_id, fingerprint=key, at=at, login=login[:200], text=text,
                    search_type=kind[:64], results=row.get("results"))
    with transaction.atomic():
        OnlineCounters.objects.bulk_create(counters, batch_size=500)
        OnlineSearch.objects.bulk_create(list(searches.values()), batch_size=500, ignore_conflicts=True)
