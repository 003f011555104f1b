"""The unauthenticated checks of a pulled installation: ICMP, TCP port, the main page (HTTP status,
page classification, maintenance, reverse proxy with the DNS-versus-last-known-IP differential), and
the licence manager. Each returns `Result`s; nothing here touches the database."""
from datetime import datetime, timezone

from lxml import html

from . import net
from .models import Check
from .pages import load
from .results import Result, for_installation as _result
from .targets import InstallationTarget

UTC = timezone.utc
TCP_TIMEOUT = 10.0  # D §1.4.2 #14
HTTP_TIMEOUT = 30.0  # D §1.4.2 #10


def now() -> datetime:
    return datetime.now(UTC)


def _has(text: str, markers: list[str]) -> bool:
    return any(m in text for m in markers)


def classify(status: int, body: str) -> str:
    """The page state of K/TE's main page (A §2.1): ok, maintenance, need_support, proxy_error,
    server_error, unexpected_page or http_error."""
    markers = load("kte")["markers"]
    if status == 503 and _has(body, markers["maintenance"]):
        return "maintenance"
    if status in (502, 504) or (status == 503 and _has(body, markers["proxy_error"])):
        return "proxy_error"
    if status == 200:
        if _has(body, markers["need_support"]):
            return "need_support"
        return "ok" if _has(body, markers["main_page"]) else "unexpected_page"
    return "server_error" if status >= 500 else "http_error"


def need_support_text(body: str) -> str:
    try:
        return " ".join(html.fromstring(body).xpath(load("kte")["xpaths"]["need_support_text"]).split())[:250]
    except Exception:  # noqa: BLE001 - a banner we cannot parse still counts; its text is a nicety
        return ""


async def tcp_check(t: InstallationTarget, at: datetime | None = None) -> Result:
    at = at or now()
    try:
        latency = await net.tcp_connect(t.connect_host, t.connect_port, TCP_TIMEOUT)
    except net.ProbeError as err:
        return _result(t, Check.TCP, False, at, state=err.kind, detail=f"{t.host}:{t.port}: {err.detail}")
    return _result(t, Check.TCP, True, at, state="ok", latency_ms=latency)


async def icmp_check(t: InstallationTarget, host: str | None = None, check: str = Check.ICMP,
                     at: datetime | None = None) -> Result:
    at = at or now()
    target = host or (t.connect_host if t.overridden else t.host)
    try:
        alive, rtt, detail = await net.icmp_ping(target)
    except net.ProbeError as err:
        return _result(t, check, False, at, state=err.kind, detail=err.detail)
    return _result(t, check, alive, at, state="ok" if alive else "loss", latency_ms=rtt, detail=detail)


async def main_page_checks(t: InstallationTarget, memory: dict, at: datetime | None = None) -> list[Result]:
    """One GET of the main page → http200, Maintenance and proxy results.

    The name is resolved on every run; the answer's IP is remembered, so that when DNS fails the probe
    asks the last known IP directly and the message can say "DNS failing, IP reachable" (case 2)."""
    at = at or now()
    path = load("kte")["paths"]["main"]
    tls = t.connect_scheme == "https"
    ip = t.connect_host
    if not t.overridden and not net.is_ip(t.host):
        try:
            ip = await net.resolve(t.host, t.port)
        except net.ProbeError as err:
            return await _dns_failed(t, memory, at, path, tls, err)
    try:
        answer = await net.http_get(ip, t.connect_port, path, host_header=t.host_header, tls=tls,
                                    timeout=HTTP_TIMEOUT, server_name=t.host)
    except net.ProbeError as err:
        detail = f"{t.scheme}://{t.host_header}{path}: {err.detail}"
        return [_result(t, Check.HTTP200, False, at, state=err.kind, detail=detail),
                _result(t, Check.PROXY, False, at, state=err.kind, detail=detail, data={"ip": ip})]
    body = answer.text()
    state = classify(answer.status, body)
    detail = need_support_text(body) if state == "need_support" else ("" if state == "ok" else f"HTTP {answer.status}")
    common = {"code": answer.status, "latency_ms": answer.latency_ms}
    proxy_ok = state != "proxy_error"
    return [
        _result(t, Check.HTTP200, answer.status == 200, at, state=state, detail=detail, **common),
        _result(t, Check.MAINTENANCE, state != "maintenance", at, state=state, **common),
        _result(t, Check.PROXY, proxy_ok, at, state="ok" if proxy_ok else state,
                detail="" if proxy_ok else f"the reverse proxy answers HTTP {answer.status}",
                data={"ip": ip, "server": answer.headers.get("server", "")}, **common),
    ]


async def _dns_failed(t, memory, at, path, tls, err) -> list[Result]:
    last_ip = memory.get("ip")
    detail = f"DNS: {err.detail}"
    if last_ip:
        try:
            answer = await net.http_get(last_ip, t.connect_port, path, host_header=t.host_header, tls=tls,
                                        timeout=HTTP_TIMEOUT, server_name=t.host)
            detail += f"; the last known IP {last_ip} answers HTTP {answer.status}"
        except net.ProbeError as ip_err:
            detail += f"; the last known IP {last_ip} fails too ({ip_err.kind})"
    else:
        detail += "; no earlier IP known"
    return [_result(t, Check.HTTP200, False, at, state="dns_failed", detail=detail),
            _result(t, Check.PROXY, False, at, state="dns_failed", detail=detail, data={"ip": last_ip})]


async def licman_checks(t: InstallationTarget, at: datetime | None = None) -> list[Result]:
    """The licence manager's ICMP (when the installation is pinged) and TCP port (D §1.4.5)."""
    at = at or now()
    host = t.licman_host or t.connect_host
    results = []
    if t.ping:
        results.append(await icmp_check(t, host=host, check=Check.LICMAN_ICMP, at=at))
    try:
        latency = await net.tcp_connect(host, t.licman_port, TCP_TIMEOUT)
        results.append(_result(t, Check.LICMAN_TCP, True, at, state="ok", latency_ms=latency))
    except net.ProbeError as err:
        results.append(_result(t, Check.LICMAN_TCP, False, at, state=err.kind,
                               detail=f"licence manager {host}:{t.licman_port}: {err.detail}"))
    return results
