"""Low-level network probes: DNS, TCP connect, ICMP echo and a lean HTTP GET (h11 over asyncio streams).

The HTTP status probe runs every minute against every pulled installation, so it avoids a full client's
per-request cost: one connection, one `GET`, `Connection: close`, at most `max_body` bytes read.
"""
import asyncio
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass

import h11

USER_AGENT = "SMART-probe/1.0"


class ProbeError(Exception):
    """A failed probe with its kind: dns_failed, refused, timeout, unreachable, tls_failed, protocol_error."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail = kind, detail


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


async def resolve(host: str, port: int) -> str:
    """The first address `host` resolves to, or ProbeError("dns_failed")."""
    if is_ip(host):
        return host
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ProbeError("dns_failed", f"{host}: {exc.strerror or exc}") from exc
    if not infos:
        raise ProbeError("dns_failed", host)
    return infos[0][4][0]


def _connect_error(exc: BaseException) -> ProbeError:
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return ProbeError("timeout", "no answer in time")
    if isinstance(exc, ConnectionRefusedError):
        return ProbeError("refused", "connection refused (nothing listens on the port)")
    if isinstance(exc, ssl.SSLError):
        return ProbeError("tls_failed", str(exc.reason or exc))
    if isinstance(exc, socket.gaierror):
        return ProbeError("dns_failed", exc.strerror or str(exc))
    if isinstance(exc, OSError):
        return ProbeError("unreachable", exc.strerror or str(exc))
    return ProbeError("protocol_error", str(exc))


async def tcp_connect(host: str, port: int, timeout: float = 10.0) -> float:
    """Open and close a TCP connection; returns the latency in ms or raises ProbeError."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(host, port)
    except Exception as exc:  # noqa: BLE001 - every failure is classified
        raise _connect_error(exc) from exc
    latency = (time.perf_counter() - started) * 1000
    writer.transport.abort()  # no FIN handshake to wait for: this is a port check
    return latency


_INSECURE = None


def _tls_context() -> ssl.SSLContext:
    """Availability probes accept any certificate, as the clients' scripts do (`curl -k`)."""
    global _INSECURE
    if _INSECURE is None:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        _INSECURE = ctx
    return _INSECURE


@dataclass
class HttpAnswer:
    status: int
    headers: dict
    body: bytes
    latency_ms: float

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


async def http_get(host: str, port: int, path: str, *, host_header: str, tls: bool = False,
                   timeout: float = 30.0, max_body: int = 65536, server_name: str | None = None) -> HttpAnswer:
    """GET `path` from host:port (an IP or a name); raises ProbeError on any failure to get an answer."""
    started = time.perf_counter()
    conn = h11.Connection(h11.CLIENT)
    writer = None
    try:
        async with asyncio.timeout(timeout):
            try:
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=_tls_context() if tls else None,
                    server_hostname=(server_name or host_header.split(":")[0]) if tls else None)
            except Exception as exc:  # noqa: BLE001
                raise _connect_error(exc) from exc
            request = h11.Request(method="GET", target=path, headers=[
                ("Host", host_header), ("User-Agent", USER_AGENT), ("Accept", "text/html,*/*"), ("Connection", "close")])
            writer.write(conn.send(request) + conn.send(h11.EndOfMessage()))
            status, headers, chunks, size = 0, {}, [], 0
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    data = await reader.read(65536)
                    conn.receive_data(data)
                    continue
                if isinstance(event, h11.Response):
                    status = event.status_code
                    headers = {k.decode().lower(): v.decode("latin-1") for k, v in event.headers}
                elif isinstance(event, h11.Data):
                    if size < max_body:
                        chunks.append(bytes(event.data[: max_body - size]))
                        size += len(event.data)
                    if size >= max_body:
                        break
                elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                    break
    except ProbeError:
        raise
    except (asyncio.TimeoutError, TimeoutError) as exc:
        raise ProbeError("timeout", "no complete answer in time") from exc
    except h11.RemoteProtocolError as exc:
        raise ProbeError("protocol_error", f"not an HTTP answer: {exc}") from exc
    except Exception as exc:  # noqa: BLE001
        raise _connect_error(exc) from exc
    finally:
        if writer is not None:
            writer.transport.abort()
    if not status:
        raise ProbeError("protocol_error", "the connection closed before an answer")
    return HttpAnswer(status, headers, b"".join(chunks), (time.perf_counter() - started) * 1000)


_ICMP_PRIVILEGED = None


async def icmp_ping(host: str, count: int = 3, timeout: float = 2.0) -> tuple[bool, float | None, str]:
    """(alive, average RTT ms, detail). Unprivileged ICMP where the kernel allows, raw sockets otherwise."""
    global _ICMP_PRIVILEGED
    from icmplib import async_ping
    from icmplib.exceptions import ICMPLibError, SocketPermissionError

    modes = [_ICMP_PRIVILEGED] if _ICMP_PRIVILEGED is not None else [False, True]
    for privileged in modes:
        try:
            answer = await async_ping(host, count=count, interval=0.2, timeout=timeout, privileged=privileged)
        except SocketPermissionError:
            continue
        except ICMPLibError as exc:
            return False, None, f"{type(exc).__name__}: {exc}"
        _ICMP_PRIVILEGED = privileged
        if answer.is_alive:
            return True, answer.avg_rtt, f"{answer.packets_received}/{answer.packets_sent} replies"
        return False, None, f"100% loss ({answer.packets_sent} echo requests)"
    raise ProbeError("icmp_unavailable", "ICMP sockets are not permitted on this machine")
