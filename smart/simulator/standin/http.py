"""A minimal asyncio HTTP/1.1 server on h11, one `Listener` per port.

A listener can serve, stop listening (connection refused), or black-hole the port (a listening socket
whose accept queue is full, so the kernel drops further SYNs and clients see a connect timeout). A
handler may return `NO_ANSWER` (read the request, never answer) or `Raw` bytes (a non-HTTP answer).
"""
import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import parse_qsl, unquote, urlsplit

import h11

log = logging.getLogger("smart.standin")

MAX_BODY = 1 << 20
SERVE, REFUSE, BLACKHOLE = "serve", "refuse", "blackhole"
_BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query: dict
    headers: dict  # lower-case names; the last value of a repeated header wins
    form: dict
    cookies: dict
    body: bytes = b""

    @classmethod
    def from_h11(cls, event: h11.Request, body: bytes) -> "Request":
        target = event.target.decode("latin-1")
        parts = urlsplit(target)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in event.headers}
        form = {}
        if body and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return cls(method=event.method.decode("ascii", "replace").upper(), path=unquote(parts.path) or "/",
                   query=dict(parse_qsl(parts.query, keep_blank_values=True)), headers=headers, form=form,
                   cookies=parse_cookies(headers.get("cookie", "")), body=body)


@dataclass(slots=True)
class Response:
    status: int = 200
    headers: list = field(default_factory=list)  # [(name, value)], names keep their case on the wire
    body: bytes = b""


@dataclass(slots=True)
class Raw:
    """Bytes written as they are, then the connection is closed (a non-HTTP answer)."""
    data: bytes


NO_ANSWER = object()  # the handler's way to say: keep the connection, never answer

Handler = Callable[[Request], Awaitable[Response | Raw | object]]


def parse_cookies(header: str) -> dict:
    """Cookie header → {name: value} (tolerant: browsers and httpx send simple pairs)."""
    found = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            found[name] = value.strip('"')
    return found


def html(body: str, status: int = 200, headers=()) -> Response:
    return Response(status, [("Content-Type", "text/html; charset=utf-8"), *headers], body.encode())


def text(body: str, status: int = 200, headers=()) -> Response:
    return Response(status, [("Content-Type", "text/plain; charset=utf-8"), *headers], body.encode())


def redirect(location: str, headers=()) -> Response:
    return Response(302, [("Location", location), *headers], b"")


class Listener:
    """One loopback port. `handler` answers HTTP; `on_connect(reader, writer)` instead takes raw TCP."""

    def __init__(self, handler: Handler | None = None, host: str = "127.0.0.1", port: int = 0, *,
                 on_connect=None, server_header: str | None = None, ssl=None):
        self.handler, self.on_connect = handler, on_connect
        self.ssl = ssl  # an ssl.SSLContext: serve HTTPS
        self.host, self.port = host, port
        self.server_header = server_header
        self.mode = REFUSE
        self._server: asyncio.AbstractServer | None = None
        self._hole: socket.socket | None = None
        self._fillers: list[socket.socket] = []
        self._writers: set = set()

    async def start(self) -> int:
        """Listen (on the port given, or a free one the first time); returns the port."""
        await self.set_mode(SERVE)
        return self.port

    async def stop(self) -> None:
        await self.set_mode(REFUSE)

    async def set_mode(self, mode: str) -> None:
        if mode == self.mode:
            return
        await self._close()
        if mode == SERVE:
            callback = self._raw if self.on_connect else self._http
            self._server = await asyncio.start_server(callback, self.host, self.port, reuse_address=True,
                                                      backlog=256, ssl=self.ssl)
            self.port = self._server.sockets[0].getsockname()[1]
        elif mode == BLACKHOLE:
            await self._blackhole()
        elif mode != REFUSE:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            # abort, not close: a pooled keep-alive connection must fail now, as on a real outage
            writer.transport.abort()
        self._writers.clear()
        for sock in self._fillers:
            sock.close()
        self._fillers.clear()
        if self._hole is not None:
            self._hole.close()
            self._hole = None
        await asyncio.sleep(0)

    async def _blackhole(self) -> None:
        """listen(0) and never accept; fill the accept queue with our own connections so that Linux
        drops further SYNs (clients then time out in connect instead of being refused)."""
        hole = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        hole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hole.bind((self.host, self.port))
        hole.listen(0)
        self.port = hole.getsockname()[1]
        self._hole = hole
        loop = asyncio.get_running_loop()
        for _ in range(8):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            self._fillers.append(filler)
            try:
                await asyncio.wait_for(loop.sock_connect(filler, (self.host, self.port)), 0.2)
            except (TimeoutError, asyncio.TimeoutError):
                break  # this SYN was dropped: the queue is full
            except OSError:
                break

    # ---- connections ---------------------------------------------------------------------------------

    async def _raw(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            await self.on_connect(reader, writer)
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=64 * 1024)
        try:
            while True:
                request = await self._read(conn, reader)
                if request is None:
                    break
                try:
                    result = await self.handler(request)
                except Exception:  # a stand-in bug must show as a 500, not as a dropped connection
                    log.exception("handler failed on %s %s", request.method, request.path)
                    result = text("Internal Server Error", 500)
                if result is NO_ANSWER:
                    while await reader.read(65536):  # until the client gives up
                        pass
                    break
                if isinstance(result, Raw):
                    writer.write(result.data)
                    await writer.drain()
                    break
                writer.write(self._encode(conn, request, result))
                await writer.drain()
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    break
                conn.start_next_cycle()
        except h11.RemoteProtocolError:
            try:
                writer.write(_BAD_REQUEST)
                await writer.drain()
            except (ConnectionError, OSError):
                pass
        except (ConnectionError, OSError, h11.LocalProtocolError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    @staticmethod
    async def _read(conn: h11.Connection, reader: asyncio.StreamReader) -> Request | None:
        head, chunks, size = None, [], 0
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Request):
                head = event
            elif isinstance(event, h11.Data):
                size += len(event.data)
                if size > MAX_BODY:
                    raise h11.RemoteProtocolError("body too large")
                chunks.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                return Request.from_h11(head, b"".join(chunks))
            else:  # ConnectionClosed or PAUSED
                return None

    def _encode(self, conn: h11.Connection, request: Request, response: Response) -> bytes:
        headers = list(response.headers)
        names = {name.lower() for name, _ in headers}
        if "date" not in names:
            headers.append(("Date", formatdate(usegmt=True)))
        if self.server_header and "server" not in names:
            headers.append(("Server", self.server_header))
        headers.append(("Content-Length", str(len(response.body))))
        headers = [(n, v.encode("latin-1") if isinstance(v, str) else v) for n, v in headers]
        try:
            reason = HTTPStatus(response.status).phrase.encode()
        except ValueError:
            reason = b""
        out = conn.send(h11.Response(status_code=response.status, headers=headers, reason=reason))
        if request.method != "HEAD" and response.body:
            out += conn.send(h11.Data(data=response.body))
        return out + conn.send(h11.EndOfMessage())


def merge_faults(faults: dict, changes: dict, allowed: tuple, numeric: dict) -> None:
    """Apply {fault: value} to `faults` in place: false, 0 or null clear a fault; numeric faults keep a
    number of seconds (true = their default); unknown names raise ValueError before anything changes."""
    unknown = [name for name in changes if name not in allowed]
    if unknown:
        raise ValueError(f"unknown fault(s) {', '.join(map(str, unknown))}; known: {', '.join(allowed)}")
    for name, value in changes.items():
        if isinstance(value, str):
            lowered = value.strip().lower()
            value = {"on": True, "true": True, "off": False, "false": False, "null": None, "": None}.get(
                lowered, value)
            if isinstance(value, str):
                try:
                    value = float(value)
                except ValueError:
                    raise ValueError(f"bad value {value!r} for fault {name}") from None
        if not value:
            faults.pop(name, None)
        elif name in numeric:
            faults[name] = numeric[name] if value is True else float(value)
        else:
            faults[name] = True
