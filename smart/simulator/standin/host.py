"""`StandinHost`: many K/TE and online-access stand-ins, and the control endpoint, in one event loop."""
import asyncio
import errno
import resource
import threading
from datetime import datetime, timedelta, timezone

from smart.simulator.fleet import Fleet

from .control import Control, apply
from .kte import KteServer
from .online import OnlineServer

UTC = timezone.utc
WORLD_DAYS = 396  # the fleet's simulated history before its `now` (as `smart simulate`)
MIN_FLEET = 4096  # installation i does not depend on the fleet's size, so room for later add_kte()


def wall_clock() -> datetime:
    return datetime.now(UTC)


class StandinHost:
    """`kte` K/TE servers (installations 0..kte-1 of the fleet) and `online` online-access hosts.

    Ports: free ones, or consecutive ones from `base_port` (busy ports are skipped). `clock` (a callable
    returning an aware datetime) replaces the wall clock for content. `licman`: None = the installations
    that have a licence manager in the fleet, True = all, False = none. `use_interval`: seconds between
    simulated uses of the online accounts (None = only through `use`).
    """

    def __init__(self, kte: int = 0, online: int = 0, *, seed=1, address: str = "127.0.0.1",
                 base_port: int | None = None, control_port: int | None = 0, proxy: bool = False,
                 licman: bool | None = None, clock=None, fleet: Fleet | None = None,
                 use_interval: float | None = None):
        self.seed, self.address = seed, address
        self.clock = clock or wall_clock
        now = self.clock()
        self.fleet = fleet or Fleet(seed, max(kte, MIN_FLEET), start=(now - timedelta(days=WORLD_DAYS)).date(),
                                    now=now)
        self.counts, self.proxy, self.licman, self.use_interval = (kte, online), proxy, licman, use_interval
        self._next_port = base_port
        self._control_port = control_port
        self.control: Control | None = None
        self.ktes: dict[str, KteServer] = {}
        self.onlines: dict[str, OnlineServer] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # ---- async API (inside the host's loop) ----------------------------------------------------------

    async def start(self) -> None:
        """Create the instances given to the constructor and the control endpoint, and listen."""
        self._loop = asyncio.get_running_loop()
        _raise_fd_limit()
        kte, online = self.counts
        for i in range(kte):
            await self.create_kte(index=i)
        for k in range(online):
            await self.create_online()
        if self._control_port is not None:
            self.control = Control(self, self.address, self._control_port)
            await self._listen(self.control.listener, self._control_port)

    async def aclose(self) -> None:
        for instance in [*self.ktes.values(), *self.onlines.values()]:
            await instance.close()
        if self.control is not None:
            await self.control.listener.stop()

    async def serve_forever(self, ready=None) -> None:
        """Start, call `ready(self)`, and run until cancelled (Ctrl+C)."""
        try:
            await self.start()
            if ready is not None:
                ready(self)
            await asyncio.Event().wait()
        finally:
            await self.aclose()

    async def create_kte(self, name: str | None = None, *, index: int | None = None, port: int | None = None,
                         password: str | None = None, proxy: bool | None = None, proxy_port: int | None = None,
                         licman: bool | None = None, licman_port: int | None = None,
                         seats_total: int | None = None) -> KteServer:
        """A K/TE server for fleet installation `index` (default: the next one), named after it."""
        index = len(self.ktes) if index is None else index
        if index >= self.fleet.size:
            self.fleet.size = index + 1
        name = name or self.fleet.name(index)
        if name in self.ktes or name in self.onlines:
            raise ValueError(f"instance {name!r} exists")
        want_proxy = self.proxy if proxy is None else proxy
        want_licman = licman if licman is not None else self.licman
        if want_licman is None:
            want_licman = self.fleet.installation(index).licman is not None
        server = KteServer(name, self.fleet, index, self.clock, password=password, host=self.address,
                           proxy_port=0 if want_proxy or proxy_port else None,
                           licman_port=0 if want_licman or licman_port else None, seats_total=seats_total)
        await self._listen(server.listener, port)
        if server.proxy is not None:
            await self._listen(server.proxy, proxy_port)
        if server.licman is not None:
            await self._listen(server.licman, licman_port)
        self.ktes[name] = server
        return server

    async def create_online(self, name: str | None = None, *, port: int | None = None,
                            accounts: list[dict] | None = None) -> OnlineServer:
        """An online-access host (default accounts: see online.default_accounts)."""
        number = len(self.onlines)
        name = name or f"online-{number + 1}"
        if name in self.ktes or name in self.onlines:
            raise ValueError(f"instance {name!r} exists")
        server = OnlineServer(name, self.clock, seed=self.seed, number=number, accounts=accounts,
                              host=self.address, use_interval=self.use_interval)
        await self._listen(server.listener, port)
        if server.use_interval:
            await server.start()  # starts the ticker (the listener already listens)
        self.onlines[name] = server
        return server

    async def apply(self, name: str, payload: dict) -> dict:
        """A control payload ({"faults": …}, {"now": …}, {"use": …}) for instance `name`; its new state."""
        kind, instance = self._find(name)
        await apply(instance, kind, payload)
        return instance.state()

    async def _listen(self, listener, port: int | None) -> None:
        if port:  # an explicit port: take it or fail
            listener.port = port
            await listener.start()
            return
        if self._next_port is None:
            listener.port = 0
            await listener.start()
            return
        for _ in range(1000):
            listener.port, self._next_port = self._next_port, self._next_port + 1
            try:
                await listener.start()
                return
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
        raise OSError(errno.EADDRINUSE, f"no free port near {self._next_port}")

    # ---- sync API (from other threads) ---------------------------------------------------------------

    def start_in_thread(self, timeout: float = 120) -> "StandinHost":
        """Run the host's loop in a daemon thread; returns once everything listens."""
        ready, failure = threading.Event(), []

        def run():
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # report to the starting thread instead of dying silently
                failure.append(exc)
                ready.set()
                loop.run_until_complete(self.aclose())
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.aclose())
            pending = asyncio.all_tasks(loop)  # connections left hanging (read_timeout) and tickers
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="standin-host", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("stand-in host did not start")
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
        self._thread = None

    def __enter__(self) -> "StandinHost":
        return self.start_in_thread()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _sync(self, coro):
        if self._thread is None or self._loop is None:
            coro.close()
            raise RuntimeError("the host is not running in a thread: use the async methods")
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("inside the host's loop: use the async methods")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(60)

    def add_kte(self, name: str | None = None, **options) -> KteServer:
        return self._sync(self.create_kte(name, **options))

    def add_online(self, name: str | None = None, **options) -> OnlineServer:
        return self._sync(self.create_online(name, **options))

    def set_faults(self, name: str, faults: dict) -> dict:
        return self._sync(self.apply(name, {"faults": faults}))

    def set_fault(self, name: str, fault: str, value=True) -> dict:
        return self.set_faults(name, {fault: value})

    def clear_faults(self, name: str) -> dict:
        _kind, instance = self._find(name)
        return self.set_faults(name, dict.fromkeys(instance.faults, False))

    def set_now(self, name: str, instant: datetime | str) -> dict:
        return self._sync(self.apply(name, {"now": instant if isinstance(instant, str) else instant.isoformat()}))

    def use(self, name: str, login: str, **counts) -> dict:
        return self._sync(self.apply(name, {"use": {"login": login, **counts}}))

    def state(self, name: str | None = None) -> dict:
        """The control endpoint's JSON for one instance or (no name) the whole host."""
        if self._thread is not None and threading.current_thread() is not self._thread:
            async def read():
                return self._state(name)
            return self._sync(read())
        return self._state(name)

    def _state(self, name: str | None) -> dict:
        if name is not None:
            return self._find(name)[1].state()
        return {"kte": {n: s.state() for n, s in self.ktes.items()},
                "online": {n: s.state() for n, s in self.onlines.items()}}

    # ---- look-ups ------------------------------------------------------------------------------------

    def kte(self, name: str | int) -> KteServer:
        return list(self.ktes.values())[name] if isinstance(name, int) else self.ktes[name]

    def online(self, name: str | int) -> OnlineServer:
        return list(self.onlines.values())[name] if isinstance(name, int) else self.onlines[name]

    def url(self, name: str | int, kind: str = "kte") -> str:
        server = self.kte(name) if kind == "kte" else self.online(name)
        return f"http://{self.address}:{server.port}"

    @property
    def control_url(self) -> str | None:
        return None if self.control is None else f"http://{self.address}:{self.control.port}/control"

    def _find(self, name: str):
        if name in self.ktes:
            return "kte", self.ktes[name]
        if name in self.onlines:
            return "online", self.onlines[name]
        raise KeyError(f"no instance {name!r}")


def _raise_fd_limit() -> None:
    """Hundreds of ports plus their connections need more than the usual 1024 descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, 65536), hard))
        except (ValueError, OSError):
            pass
