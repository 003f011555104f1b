"""Streaming front end for the upload endpoints, in front of Django.

`POST /upload` (legacy contract, D §3.2 F2/F5) and `POST /api/v1/reports` (installation tokens) are
answered here so that a body streams to the archive's temp file as it arrives: memory stays flat for a
200 MB upload, `Expect: 100-continue` is answered only once the headers pass (the server sends
`100 Continue` on the first receive), and an oversized upload gets 413 before its body is read.
Everything else goes to Django, on a thread lent by `web_threads` (see ThreadLender).
"""
import asyncio
import inspect
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

from asgiref.sync import ThreadSensitiveContext
from django.conf import settings
from django.db import close_old_connections, connections
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from . import service
from .archive import IncomingFile
from .errors import IngestError, body
from .models import Channel

log = logging.getLogger("smart.ingest")

UPLOAD_PATHS = {"/upload": "upload", "/upload/": "upload", "/api/v1/reports": "api"}
_db_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="ingest-db")
# One thread does every archive fsync: concurrent fsyncs on one file system contend for its journal and
# together run several times slower than the same fsyncs one after another.
_fsync_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-fsync")


async def in_thread(fn, *args):
    """Run blocking work (database, fsync) off the event loop, with Django's connection hygiene."""

    def call():
        close_old_connections()
        try:
            return fn(*args)
        finally:
            close_old_connections()

    return await asyncio.get_running_loop().run_in_executor(_db_pool, call)


def close_db_connections(timeout: float = 10) -> None:
    """Close the database connections held by the pools' threads (shutdown, test teardown)."""
    web_threads.close_db_connections(timeout)
    threads = len(_db_pool._threads)
    if not threads:
        return
    barrier = threading.Barrier(threads, timeout=timeout)

    def close():
        connections.close_all()
        barrier.wait()  # one task per thread: nobody leaves until every thread has closed its own

    for future in [_db_pool.submit(close) for _ in range(threads)]:
        future.result(timeout)


class ThreadLender:
    """Long-lived threads for Django's requests.

    Django's ASGI handler runs a request's sync code (middleware, view) on a thread it starts for that request, so
    every request opened a database connection of its own: on PostgreSQL a backend started, authenticated and
    warmed its catalogue caches for each panel of a dashboard (tens of milliseconds each). A request here
    borrows a single-thread executor instead (asgiref's ThreadSensitiveContext with an executor: Django's own
    context inside it then uses it) and gives it back when answered; a kept thread keeps its connection between
    requests under CONN_MAX_AGE, as a threaded WSGI server's threads do. Requests still run side by side: when
    every kept thread is busy a new one is started, and closed after its request beyond `keep` idle ones.
    """

    def __init__(self, keep: int):
        self.keep = keep
        self._idle: list[ThreadPoolExecutor] = []
        self._lock = threading.Lock()

    def borrow(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._idle:
                return self._idle.pop()  # the most recently used: its connection is the freshest
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="web")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        with self._lock:
            if len(self._idle) < self.keep:
                self._idle.append(executor)
                return
        executor.submit(connections.close_all)
        executor.shutdown(wait=False)

    def close_db_connections(self, timeout: float = 10) -> None:
        with self._lock:
            idle = list(self._idle)
        for future in [executor.submit(connections.close_all) for executor in idle]:
            future.result(timeout)


# ThreadSensitiveContext takes an executor in recent asgiref (3.13 here); without that, Django's own way (keep=0).
web_threads = ThreadLender(keep=settings.SMART_WEB_THREADS
                           if "executor" in inspect.signature(ThreadSensitiveContext).parameters else 0)


class IngestRouter:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in UPLOAD_PATHS:
            await Upload(scope, receive, send, UPLOAD_PATHS[scope["path"]]).run()
        elif scope["type"] == "http" and web_threads.keep:
            executor = web_threads.borrow()
            try:
                async with ThreadSensitiveContext(executor=executor):
                    await self.app(scope, receive, send)
            finally:
                web_threads.give_back(executor)
        else:
            await self.app(scope, receive, send)


def caller_from_scope(scope, endpoint: str) -> service.Caller:
    headers = {}
    for key, value in scope["headers"]:
        headers.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    auth = headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    token = token or headers.get("x-smart-token", "").strip() or (query.get("token") or [""])[0]
    client = scope.get("client")
    caller = service.Caller(
        endpoint=endpoint,
        source_ip=client[0] if client else None,
        user_agent=headers.get("user-agent", ""),
        token_value=token,
        dealer_header=headers.get("dealer"),
        upload_header=headers.get("upload"),
    )
    caller.extra["headers"] = headers
    return caller


class Upload:
    """One upload request, from headers to answer."""

    def __init__(self, scope, receive, send, endpoint):
        self.scope, self.receive, self.send = scope, receive, send
        self.caller = caller_from_scope(scope, endpoint)
        self.headers = self.caller.extra.pop("headers")
        self.incoming: IncomingFile | None = None
        self.file_name = ""

    async def run(self):
        try:
            await in_thread(service.authenticate, self.caller)
            self._check_length()
            outcome = await self._receive_and_accept()
        except IngestError as err:
            await self._refuse(err)
        except Exception:  # an answer and an audit row even for our own bugs
            log.exception("upload failed")
            await self._refuse(IngestError("server_error"))
        else:
            await self._answer_accepted(outcome)
        finally:
            if self.incoming is not None and not self.incoming.sha256:
                self.incoming.discard()

    def _check_length(self):
        length = self.headers.get("content-length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                raise IngestError("malformed_multipart", "bad Content-Length") from None
            self.caller.extra["size"] = size
            if size > settings.SMART_UPLOAD_MAX_BYTES:
                raise IngestError("too_large", f"{size} > {settings.SMART_UPLOAD_MAX_BYTES} bytes")

    async def _receive_and_accept(self):
        if self.caller.endpoint == "api" and not self.headers.get("content-type", "").startswith("multipart/"):
            await self._receive_raw()
        else:
            await self._receive_multipart()
        channel = Channel.API if self.caller.endpoint == "api" else Channel.LEGACY
        admission = await in_thread(service.admit, self.caller, self.file_name)
        await asyncio.get_running_loop().run_in_executor(_fsync_pool, service.archive, self.incoming)
        return await in_thread(service.record, self.caller, admission, self.incoming, channel)

    async def _maybe_flush(self):
        if self.incoming is not None and self.incoming.pending_bytes >= IncomingFile.FLUSH_BYTES:
            self.incoming.flush()

    async def _body_chunks(self):
        total = 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise IngestError("client_disconnected")
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > settings.SMART_UPLOAD_MAX_BYTES:
                raise IngestError("too_large", f"more than {settings.SMART_UPLOAD_MAX_BYTES} bytes")
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return

    async def _receive_raw(self):
        """API uploads may send the file as the whole body; the name comes from a header or the binding."""
        installation = self.caller.token.installation
        self.file_name = self.headers.get("x-smart-file-name", "").strip()
        self.incoming = IncomingFile()
        async for chunk in self._body_chunks():
            self.incoming.write(chunk)
            await self._maybe_flush()
        if not self.file_name:
            ext = {"status": "status", "xml": "xml", "sqlite": "sqlite"}.get(_sniff_kind(self.incoming), "zip")
            self.file_name = f"{installation.name}.{ext}"

    async def _receive_multipart(self):
        content_type, params = parse_options_header(self.headers.get("content-type", ""))
        boundary = params.get(b"boundary")
        if content_type != b"multipart/form-data" or not boundary:
            raise IngestError("not_multipart")
        state = _MultipartState()
        parser = MultipartParser(boundary, state.callbacks(), max_header_count=16)
        try:
            async for chunk in self._body_chunks():
                parser.write(chunk)
                self.incoming = state.incoming
                await self._maybe_flush()
            parser.finalize()
        except MultipartParseError as exc:
            raise IngestError("malformed_multipart", str(exc)[:200]) from None
        finally:
            self.incoming = state.incoming  # so that a refused upload's temp file is removed
        if state.error:
            raise IngestError(*state.error)
        if not state.ended:
            raise IngestError("malformed_multipart", "the body ended before the closing boundary")
        if self.incoming is None:
            raise IngestError("missing_file_field")
        self.file_name = state.file_name

    async def _refuse(self, err: IngestError):
        """Audit first, then answer: the sender and the dealer see the same refusal."""
        try:
            await in_thread(service.record_attempt, self.caller, err.http_status, err.code, self.file_name, self.incoming)
        except Exception:
            log.exception("could not record a refused upload")
        if err.code != "client_disconnected":
            await self._send_json(err.http_status, body(err.code, err.detail), err.headers)

    async def _answer_accepted(self, outcome):
        report = outcome.report
        path = f"/files/{report.file_name}"
        if outcome.code == "ok" and self.caller.endpoint == "upload":
            payload = {"ok": True, "path": path}  # byte-compatible with the legacy contract
        else:
            payload = body(outcome.code, path=path, report_id=report.id, sha256=report.sha256, status=report.status)
        status = 200 if outcome.code in ("ok", "no_new_data") else IngestError(outcome.code).http_status
        headers = {"x-smart-report-id": str(report.id), "x-smart-status": report.status}
        await self._send_json(status, payload, headers)

    async def _send_json(self, status: int, payload: dict, headers: dict | None = None):
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        raw = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(data)).encode())]
        raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
        await self.send({"type": "http.response.start", "status": status, "headers": raw})
        await self.send({"type": "http.response.body", "body": data})


def _sniff_kind(incoming: IncomingFile) -> str:
    from smart.formats.sniff import sniff

    return sniff(incoming.head, incoming.size).kind


class _MultipartState:
    """Follows the parts of a multipart body; the part named `file` streams to an IncomingFile."""

    def __init__(self):
        self.incoming: IncomingFile | None = None
        self.file_part_started = False
        self.file_name = ""
        self.ended = False
        self.error = None
        self._headers = {}
        self._field = b""
        self._value = b""
        self._in_file = False

    def callbacks(self):
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _part_begin(self):
        self._headers, self._field, self._value = {}, b"", b""

    def _header_field(self, data, start, end):
        self._field += data[start:end]

    def _header_value(self, data, start, end):
        self._value += data[start:end]

    def _header_end(self):
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def _headers_finished(self):
        disposition = self._headers.get(b"content-disposition", b"")
        _, params = parse_options_header(disposition)
        if params.get(b"name") != b"file":
            self._in_file = False
            return
        if self.file_part_started:
            self.error = ("several_files",)
            self._in_file = False
            return
        self._in_file = True
        self.file_part_started = True
        self.incoming = IncomingFile()
        raw_name = params.get(b"filename", b"")
        if b"\\" in disposition:  # the parser would cut `C:\\x\\NAME.zip` to NAME.zip: refuse, don't guess
            raw_name = disposition.split(b"filename=", 1)[-1].strip(b'"')
        try:
            self.file_name = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            self.file_name = raw_name.decode("latin-1")

    def _part_data(self, data, start, end):
        if self._in_file:
            self.incoming.write(data[start:end])

    def _part_end(self):
        self._in_file = False

    def _end(self):
        self.ended = True
