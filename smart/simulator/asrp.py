"""An ASRP stand-in on loopback: what SMART's forwarder talks to in tests and the demo (B §B).

`POST /api/sysinfo/upload` (multipart: `dealername`, `file`; optional Bearer token) answers JSON
`{"response": "ok"|"warning", "state": "Принят"|"Повтор", "upload_number": "<22 chars>", "guid": "<GUID>"}`:
a file it already has (same sha256) is "warning"/"Повтор", a new one "ok"/"Принят". The upload number
starts with the hex Unix time, as ASRP's do. Faults: `fail_next` (answer the next N uploads with 500),
`hang_next` (hold the next N past the client's timeout), `reject` (400 with a message).
`GET /uploads` lists what it received (JSON).
"""
import email.parser
import email.policy
import hashlib
import json
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class AsrpStandin:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str = ""):
        self.token = token
        self.received: list[dict] = []
        self.known: set[str] = set()
        self.fail_next = 0
        self.hang_next = 0
        self.hang_s = 5.0
        self.reject = ""
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, status: int, payload) -> None:
                body = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/uploads":
                    with standin.lock:
                        self._json(200, standin.received)
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self):
                if self.path != "/api/sysinfo/upload":
                    return self._json(404, {"error": "not found"})
                if standin.token and self.headers.get("Authorization") != f"Bearer {standin.token}":
                    return self._json(401, {"error": "неверный токен"})
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with standin.lock:
                    if standin.hang_next:
                        standin.hang_next -= 1
                        hang = True
                    else:
                        hang = False
                    if standin.fail_next and not hang:
                        standin.fail_next -= 1
                        return self._json(500, {"error": "внутренняя ошибка АСРП"})
                    if standin.reject and not hang:
                        return self._json(400, {"error": standin.reject})
                if hang:
                    time.sleep(standin.hang_s)
                    return self._json(503, {"error": "timeout"})
                fields = _multipart(self.headers.get("Content-Type", ""), body)
                data = fields.get("file", b"")
                sha = hashlib.sha256(data).hexdigest()
                with standin.lock:
                    repeat = sha in standin.known
                    standin.known.add(sha)
                    answer = {
                        "response": "warning" if repeat else "ok", "state": "Повтор" if repeat else "Принят",
                        "upload_number": f"{int(time.time()):08x}{secrets.token_hex(7)}",
                        "guid": str(uuid.uuid4()).upper(),
                    }
                    standin.received.append({"dealername": fields.get("dealername", b"").decode(), "sha256": sha,
                                             "size": len(data), **answer})
                return self._json(200, answer)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="asrp-standin", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "AsrpStandin":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    out = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            out[name] = part.get_payload(decode=True) or b""
    return out
