"""An asyncio loop in a daemon thread, for the stand-ins that tests and the demo run beside SMART."""
import asyncio
import threading


class LoopThread:
    def __init__(self, name: str):
        self.name = name
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None

    def start(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=self.name, daemon=True)
        self.thread.start()

    def call(self, coro, timeout: float = 30):
        """Run `coro` in the loop and wait for its result."""
        if self.loop is None:
            coro.close()
            raise RuntimeError(f"{self.name} is not running")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self, shutdown=None, timeout: float = 10) -> None:
        """Run `shutdown` (a coroutine) in the loop, then end the loop and its thread."""
        if self.thread is None:
            if shutdown is not None:
                shutdown.close()
            return
        if shutdown is not None:
            self.call(shutdown, timeout)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout)
        self.loop.close()
        self.thread = self.loop = None
