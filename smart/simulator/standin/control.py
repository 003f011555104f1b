"""The control endpoint: one port for the whole host, JSON in and out (docs/standins.md)."""
import json
from datetime import datetime

from .http import Listener, Request, Response


def _json(data, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=1, default=str).encode()
    return Response(status, [("Content-Type", "application/json")], body)


class Control:
    """`GET/POST /control[/kte|online/<name>]` over the host's instances."""

    def __init__(self, host, address: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.listener = Listener(self.handle, address, port, server_header="standin-control")

    @property
    def port(self) -> int:
        return self.listener.port

    async def handle(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/") if p]
        if not parts or parts[0] != "control" or len(parts) not in (1, 3):
            return _json({"error": "not found"}, 404)
        if len(parts) == 1:
            if request.method != "GET":
                return _json({"error": "method not allowed"}, 405)
            return _json(self.host._state(None))
        kind, name = parts[1], parts[2]
        instances = {"kte": self.host.ktes, "online": self.host.onlines}.get(kind)
        instance = None if instances is None else instances.get(name)
        if instance is None:
            return _json({"error": f"no {kind} instance {name!r}"}, 404)
        if request.method == "GET":
            return _json(instance.state())
        if request.method != "POST":
            return _json({"error": "method not allowed"}, 405)
        try:
            payload = json.loads(request.body or b"{}")
            if not isinstance(payload, dict):
                raise ValueError("a JSON object is expected")
            await apply(instance, kind, payload)
        except (ValueError, KeyError, TypeError) as exc:
            return _json({"error": str(exc).strip("'\"")}, 400)
        return _json(instance.state())


async def apply(instance, kind: str, payload: dict) -> None:
    """Apply a control payload ({"faults"}, and for online {"now"}, {"use"}) to one instance."""
    known = {"faults"} | ({"now", "use"} if kind == "online" else set())
    unknown = set(payload) - known
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    # check everything first, so that a rejected payload changes nothing
    now = use = None
    if "now" in payload:
        now = datetime.fromisoformat(str(payload["now"]).replace("Z", "+00:00"))
        if now.tzinfo is None:
            raise ValueError('"now" must carry a time zone')
    if "faults" in payload and not isinstance(payload["faults"], dict):
        raise ValueError('"faults" must be an object')
    if "use" in payload:
        use = dict(payload["use"])
        login = use.pop("login", None)
        if login not in instance.accounts:
            raise ValueError(f"no account {login!r} on {instance.name}")
        bad = [k for k, n in use.items() if k not in instance.accounts[login].limits or not isinstance(n, int)]
        if bad:
            raise ValueError(f"bad counter(s) {', '.join(bad)}: give counter names with integer amounts")
    if "faults" in payload:
        await instance.set_faults(payload["faults"])
    if now is not None:
        instance.set_now(now)
    if use is not None:
        instance.use(login, use)
