"""Checks that sign in as `smartlogin` (auth, key, warning, limit) and the pulls of sysinfo and sysmon
metrics for installations flagged `download`.

The seat guarantee (D §3.3): signing in takes no licence seat in K/TE; opening the working interface
(`/docs`) with a session does. So a session here only ever requests the login, service-state, sysinfo
and logout paths, and never follows a redirect (a successful login redirects to `/docs`).
"""
import asyncio
import time
from datetime import datetime, timezone

import httpx
from lxml import html

from .models import Check
from .pages import load
from .results import Result, for_installation as _result
from .targets import InstallationTarget

UTC = timezone.utc
SMARTLOGIN = "smartlogin"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
SESSION_PATHS = ("login", "logout", "state", "sysinfo", "sysmon", "legacy_metrics")  # never "main"


class SeatGuard(Exception):
    """A session request outside the paths that take no seat: a defect, refused before sending."""


def _guard(pages: dict):
    allowed = {pages["paths"][name] for name in SESSION_PATHS}

    async def check(request: httpx.Request):
        if request.url.path not in allowed:
            raise SeatGuard(f"refusing {request.method} {request.url.path}: it could take a licence seat")
    return check


def client(t: InstallationTarget) -> httpx.AsyncClient:
    pages = load("kte")
    return httpx.AsyncClient(
        base_url=t.base_url, verify=False, timeout=TIMEOUT, follow_redirects=False,
        headers={"Host": t.host_header, "User-Agent": pages["user_agent"]},
        event_hooks={"request": [_guard(pages)]},
    )


def _error_kind(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        return "refused" if "refused" in str(exc).lower() else "unreachable"
    return "protocol_error"


async def login(c: httpx.AsyncClient, t: InstallationTarget) -> tuple[bool, str, int, str]:
    """(signed in, state, HTTP code, detail)."""
    pages = load("kte")
    if not t.smartlogin_password:
        return False, "not_configured", 0, "no smartlogin password in the registry"
    fields = pages["login_fields"]
    response = await c.post(pages["paths"]["login"], data={fields["login"]: SMARTLOGIN, fields["password"]: t.smartlogin_password})
    body = response.text
    markers = pages["markers"]
    if response.status_code in (301, 302, 303) and pages["session_cookie"] in c.cookies:
        return True, "ok", response.status_code, ""
    if response.status_code == 503 and any(m in body for m in markers["maintenance"]):
        return False, "maintenance", 503, "K/TE is in maintenance mode"
    if any(m in body for m in markers["login_error"]):
        return False, "rejected", response.status_code, "smartlogin was rejected: wrong password or no such user"
    return False, f"http_{response.status_code}", response.status_code, f"unexpected answer to the sign-in (HTTP {response.status_code})"


async def logout(c: httpx.AsyncClient) -> None:
    try:
        await c.get(load("kte")["paths"]["logout"])
    except httpx.HTTPError:
        pass  # the session expires on its own; a failed logout is not the installation's fault


def _text(doc, xpath: str) -> str:
    return " ".join(str(doc.xpath(xpath)).split())


async def session_checks(t: InstallationTarget, at: datetime | None = None) -> list[Result]:
    """auth, then key, warning and limit from the service-state page (A §2.3, C §11(b) #7–#8)."""
    at = at or datetime.now(UTC)
    started = time.perf_counter()
    pages = load("kte")
    async with client(t) as c:
        try:
            signed_in, state, code, detail = await login(c, t)
        except httpx.HTTPError as exc:
            signed_in, state, code, detail = False, _error_kind(exc), 0, f"{type(exc).__name__}: {exc}"
        latency = (time.perf_counter() - started) * 1000
        results = [_result(t, Check.AUTH, signed_in, at, state=state, code=code, detail=detail, latency_ms=latency)]
        if not signed_in:
            # Without a session K/TE shows neither key nor warnings: the legacy checks read 0 (A §2.3).
            return results + [_result(t, check, False, at, state="no_auth", detail="needs a working smartlogin sign-in")
                              for check in (Check.KEY, Check.WARNING, Check.LIMIT)]
        try:
            return results + await _state_page(c, t, at, pages)
        finally:
            await logout(c)


async def _state_page(c, t, at, pages) -> list[Result]:
    try:
        response = await c.get(pages["paths"]["state"])
    except httpx.HTTPError as exc:
        return [_result(t, check, False, at, state=_error_kind(exc), detail=str(exc)) for check in (Check.KEY, Check.WARNING, Check.LIMIT)]
    if response.status_code == 403 or any(m in response.text for m in pages["markers"]["no_rights"]):
        detail = "smartlogin has no right to the service pages (add it to a group with /docs access)"
        return [_result(t, check, False, at, state="no_rights", code=response.status_code, detail=detail)
                for check in (Check.KEY, Check.WARNING, Check.LIMIT)]
    doc = html.fromstring(response.content or b"<html/>")
    xp = pages["xpaths"]
    key = _text(doc, xp["key_state"])
    warnings = _text(doc, xp["warnings"])
    code = response.status_code
    results = [
        _result(t, Check.KEY, key.lower() in pages["key_found_values"], at, state="ok" if key.lower() in pages["key_found_values"] else "key_not_found",
                code=code, detail=f"key: {key or '?'}"),
        _result(t, Check.WARNING, not warnings, at, state="ok" if not warnings else "warning", code=code, detail=warnings[:250]),
    ]
    try:
        used, total = int(_text(doc, xp["seats_used"])), int(_text(doc, xp["seats_total"]))
    except ValueError:
        results.append(_result(t, Check.LIMIT, False, at, state="unexpected_page", code=code, detail="seats not found on the state page"))
    else:
        results.append(_result(t, Check.LIMIT, used < total, at, state="ok" if used < total else "seats_exhausted", code=code,
                               detail=f"{used}/{total} seats in use", data={"seats_used": used, "seats_total": total}))
    return results


async def pull_sysinfo(t: InstallationTarget, at: datetime | None = None) -> tuple[Result, bytes | None]:
    """Sign in and download the sysinfo zip; (result, content or None). Content checks are the ingest's."""
    at = at or datetime.now(UTC)
    started = time.perf_counter()
    pages = load("kte")
    async with client(t) as c:
        try:
            signed_in, state, code, detail = await login(c, t)
            if not signed_in:
                return _result(t, Check.PULL_SYSINFO, False, at, state=state, code=code, detail=detail), None
            try:
                response = await c.post(pages["paths"]["sysinfo"], data=pages["sysinfo_form"])
            finally:
                await logout(c)
        except httpx.HTTPError as exc:
            return _result(t, Check.PULL_SYSINFO, False, at, state=_error_kind(exc), detail=f"{type(exc).__name__}: {exc}"), None
    latency = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        return _result(t, Check.PULL_SYSINFO, False, at, state=f"http_{response.status_code}", code=response.status_code,
                       latency_ms=latency, detail=f"sysinfo request answered HTTP {response.status_code}"), None
    return _result(t, Check.PULL_SYSINFO, True, at, state="ok", code=200, latency_ms=latency), response.content


async def pull_status(t: InstallationTarget, at: datetime | None = None) -> tuple[Result, bytes | None]:
    """GET /sysmon/metrics with Basic auth (the legacy /sysinfo/metrics on servers without /sysmon) and
    build the `.status` file exactly as smartstatus writes it: the server's `date:` line, then the body."""
    at = at or datetime.now(UTC)
    started = time.perf_counter()
    pages = load("kte")
    async with client(t) as c:
        try:
            response = await c.get(pages["paths"]["sysmon"], auth=(SMARTLOGIN, t.smartlogin_password or ""))
            header = "date"
            if response.status_code == 404:
                response = await c.get(pages["paths"]["legacy_metrics"])
                header = "Date"
        except httpx.HTTPError as exc:
            return _result(t, Check.PULL_STATUS, False, at, state=_error_kind(exc), detail=f"{type(exc).__name__}: {exc}"), None
    latency = (time.perf_counter() - started) * 1000
    code = response.status_code
    if code in (401, 403):
        detail = ("smartlogin has no right to /sysmon (add it to the metrics group)" if code == 403
                  else "/sysmon refused smartlogin's credentials")
        return _result(t, Check.PULL_STATUS, False, at, state="no_sysmon_right", code=code, latency_ms=latency, detail=detail), None
    if code != 200:
        return _result(t, Check.PULL_STATUS, False, at, state=f"http_{code}", code=code, latency_ms=latency,
                       detail=f"metrics request answered HTTP {code}"), None
    date = response.headers.get("date", "")
    content = (f"{header}: {date}\n\n".encode() if date else b"") + response.content
    return _result(t, Check.PULL_STATUS, True, at, state="ok", code=200, latency_ms=latency), content


async def deliver(t: InstallationTarget, result: Result, content: bytes | None, ext: str) -> Result:
    """Hand pulled content to the ingest (archive, audit, processing queue) on a worker thread; the
    result says what the ingest made of it (an HTML error page instead of sysinfo is refused there)."""
    if content is None:
        return result
    from smart.ingest.errors import IngestError
    from smart.ingest.service import accept_pulled
    from smart.registry.models import Installation

    def accept():
        from django.db import close_old_connections

        close_old_connections()
        installation = Installation.objects.select_related("dealer").get(pk=t.installation_id)
        return accept_pulled(installation, ext, content)

    try:
        outcome = await asyncio.to_thread(accept)
    except IngestError as err:
        result.ok, result.state, result.detail = False, err.code, f"ingest refused the file: {err.code} {err.detail}"[:300]
        return result
    result.data["report_id"] = outcome.report.id
    result.data["ingest_code"] = outcome.code
    if outcome.report.kind == "error_page":
        result.ok, result.state = False, "error_page"
        result.detail = "K/TE answered an error page instead of the report"
    elif outcome.code not in ("ok", "no_new_data"):
        result.ok, result.state = False, outcome.code
        result.detail = f"ingest: {outcome.code}"
    else:
        result.detail = f"report {outcome.report.id}: {outcome.code}"
    return result
