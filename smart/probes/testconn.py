"""`smart test-connection`: every check once for one installation or online access, in order, saying
exactly which step or right is missing. Nothing is stored: a dry run a technician repeats while fixing."""
import asyncio
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from smart.formats import ParseFailure, parse_report, sniff

from . import checks, net, session
from .models import Check
from .targets import InstallationTarget

ADVICE = {
    "dns_failed": "the name does not resolve: check the address in the registry and the DNS",
    "unreachable": "no route to the host: check the address, the firewall and that the server is published",
    "timeout": "no answer in time: a firewall drops the packets, or the server hangs",
    "refused": "the port is closed: nothing listens there (K/TE stopped, or a wrong port in the registry)",
    "tls_failed": "the TLS handshake fails: check the certificate and that the port speaks HTTPS",
    "protocol_error": "the port answers, but not with HTTP",
    "maintenance": "K/TE is in maintenance mode: retry after it ends",
    "rejected": "smartlogin is rejected: create the user or set the password SMART has (registry)",
    "not_configured": "no smartlogin password in the registry",
    "no_rights": "smartlogin lacks the right to the service pages: add it to a group with /docs access",
    "no_sysmon_right": "smartlogin lacks /sysmon: add it to the group 'metrics' (needs K/TE 6.4.5.127+)",
    "error_page": "K/TE answered an error page instead of sysinfo: check the sysinfo module and its rights",
    "not_sysinfo": "the download is not a sysinfo report",
}


@dataclass
class Step:
    step: str
    ok: bool | None  # None: skipped
    state: str = ""
    detail: str = ""
    code: int = 0
    latency_ms: float | None = None
    advice: str = ""


@dataclass
class Report:
    target: str
    kind: str
    steps: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.ok is not False for s in self.steps)

    def first_failure(self) -> Step | None:
        return next((s for s in self.steps if s.ok is False), None)

    def as_dict(self) -> dict:
        failed = self.first_failure()
        return {"target": self.target, "kind": self.kind, "ok": self.ok,
                "failed_step": failed.step if failed else None,
                "message": (failed.advice or failed.detail) if failed else "every check passed",
                "steps": [asdict(s) for s in self.steps]}


def _step(name: str, result, advice_key: str | None = None) -> Step:
    state = result.state
    return Step(name, result.ok, state, result.detail, result.code, result.latency_ms,
                "" if result.ok else ADVICE.get(advice_key or state, ""))


async def installation(t: InstallationTarget) -> Report:
    report = Report(t.name, "installation")
    steps = report.steps
    if not t.overridden and not net.is_ip(t.host):
        try:
            ip = await net.resolve(t.host, t.port)
            steps.append(Step("dns", True, "ok", f"{t.host} → {ip}"))
        except net.ProbeError as err:
            steps.append(Step("dns", False, err.kind, err.detail, advice=ADVICE["dns_failed"]))
            return report
    icmp = await checks.icmp_check(t)
    steps.append(Step("icmp", icmp.ok if t.ping else (True if icmp.ok else None), icmp.state,
                      icmp.detail if t.ping or icmp.ok else f"{icmp.detail} (not used: the registry says donotping)",
                      latency_ms=icmp.latency_ms))
    tcp = await checks.tcp_check(t)
    steps.append(_step("tcp", tcp))
    if not tcp.ok:
        return report
    page = {r.check: r for r in await checks.main_page_checks(t, {})}
    http = page[Check.HTTP200]
    steps.append(_step("http", http))
    if http.state == "maintenance":
        return report
    order = [Check.AUTH, Check.KEY, Check.LIMIT, Check.WARNING]  # warnings repeat the others: last
    for r in sorted(await session.session_checks(t), key=lambda r: order.index(r.check)):
        name = {Check.AUTH: "smartlogin", Check.KEY: "key", Check.WARNING: "warning", Check.LIMIT: "seats"}[r.check]
        if r.state == "no_auth":
            steps.append(Step(name, None, "skipped", "needs the smartlogin sign-in"))
        else:
            steps.append(_step(name, r))
    status, content = await session.pull_status(t)
    steps.append(_step("sysmon", status))
    pulled, content = await session.pull_sysinfo(t)
    if pulled.ok:
        pulled = _check_sysinfo(pulled, content, t.time_zone)
    steps.append(_step("sysinfo", pulled))
    if t.licman_port:
        for r in await checks.licman_checks(t):
            steps.append(_step(r.check, r))
    return report


def _check_sysinfo(result, content: bytes, time_zone: str):
    kind = sniff(content[:4096], len(content)).kind
    if kind == "error_page":
        result.ok, result.state, result.detail = False, "error_page", content[:200].decode("utf-8", "replace")
        return result
    try:
        parse_report(content, time_zone=time_zone, received_at=datetime.now(timezone.utc))
    except ParseFailure as failure:
        result.ok, result.state, result.detail = False, "not_sysinfo", f"{failure.status}: {failure.detail}"[:300]
        return result
    result.detail = f"sysinfo {len(content) // 1024} KB, parses"
    return result


async def online_access(target) -> Report:
    from . import online

    report = Report(f"{target.host}/{target.folder} {target.login}", "online_access")
    billing = await online.scrape_billing(target)
    step = _step("billing", billing)
    if billing.ok:
        step.detail = ", ".join(f"{k} {v['left']}/{v['limit']}" for k, v in billing.data.items() if isinstance(v, dict))
    report.steps.append(step)
    if billing.ok:
        from datetime import date, timedelta

        searches = await online.scrape_searches(target, date.today() - timedelta(days=1))
        step = _step("searches", searches)
        if searches.ok:
            step.detail = f"{len(searches.data.get('rows', []))} queries yesterday"
        report.steps.append(step)
    return report


def run(target) -> Report:
    if isinstance(target, InstallationTarget):
        return asyncio.run(installation(target))
    return asyncio.run(online_access(target))
