"""The demo's live targets: K/TE stand-ins for the pulled installations and an online-access stand-in
for the online accesses, with the registry pointed at them (SMART_CONNECT_TO keeps the real names) and
a little weather: nightly-style maintenance, a seat rush, a lost key, a changed password, so probes,
pulls and scraping have something to find."""
import logging
import threading
from datetime import datetime, timezone

from django.conf import settings

from . import demo

log = logging.getLogger("smart.demo")
UTC = timezone.utc

# (pulled installation index, fault, first minute, minutes on, period in minutes): a compressed day,
# phased so that something happens within the demo's first minutes.
WEATHER = [
    (3, "key_lost", 1, 8, 45),
    (1, "maintenance", 3, 5, 20),
    (2, "seats_exhausted", 6, 6, 30),
    (0, "need_support", 10, 4, 25),
]
PROBE_INTERVAL_S, STATUS_INTERVAL_S, SYSINFO_INTERVAL_S = 30, 120, 600  # the demo compresses time
ONLINE_USE_EVERY_S = 5.0


def start(dealer) -> "LiveTargets":
    live = LiveTargets(dealer)
    live.start()
    return live


class LiveTargets:
    def __init__(self, dealer):
        self.dealer = dealer
        self.host = None
        self.weather = None

    def start(self) -> None:
        from smart.simulator.standin.host import StandinHost

        now = datetime.now(UTC)
        from smart.simulator.delivery import start_on_port
        from smart.simulator.management.commands.standin import DEFAULT_CONTROL_PORT

        self.host = start_on_port(lambda port: StandinHost(fleet=demo.demo_fleet(now), use_interval=ONLINE_USE_EVERY_S,
                                                           seed=7, control_port=port).start_in_thread(),
                                  DEFAULT_CONTROL_PORT)
        connect = dict(settings.SMART_CONNECT_TO)
        for k, address in enumerate(demo.PULLED):
            server = self.host.add_kte(address, index=len(demo.PUSHED) + k, proxy=k == 0, licman=k == 1)
            connect[address.lower()] = f"http://127.0.0.1:{server.port}"
            self._register(address, server)
        online = self.host.add_online("online.kodeks.ru")
        connect["online.kodeks.ru:443"] = f"http://127.0.0.1:{online.port}"
        settings.SMART_CONNECT_TO = connect
        settings.SMART_ONLINE_BILLING_INTERVAL_S = 120
        self.weather = Weather(self.host)
        self.weather.start()

    def _register(self, address: str, server) -> None:
        inst = self.dealer.installations.get(name=address)
        inst.smartlogin_password = server.password
        inst.probe_interval_s, inst.status_interval_s, inst.expected_interval_s = (
            PROBE_INTERVAL_S, STATUS_INTERVAL_S, SYSINFO_INTERVAL_S)
        if server.licman is not None:
            inst.licman_address, inst.licman_port = "127.0.0.1", server.licman.port
        inst.save()

    def lines(self) -> list[str]:
        rows = [f"{name:<28} K/TE  http://127.0.0.1:{s.port}/docs  (smartlogin / {s.password})"
                for name, s in self.host.ktes.items()]
        rows += [f"{name:<28} online http://127.0.0.1:{s.port}/docs1/login" for name, s in self.host.onlines.items()]
        rows.append(f"{'control':<28} {self.host.control_url}")
        return rows

    def stop(self) -> None:
        if self.weather is not None:
            self.weather.stop.set()
        if self.host is not None:
            self.host.stop()


class Weather(threading.Thread):
    """Switches the stand-ins' faults on a compressed schedule (see WEATHER)."""

    def __init__(self, host, tick: float = 10.0):
        super().__init__(name="demo-weather", daemon=True)
        self.host, self.tick = host, tick
        self.stop = threading.Event()
        self.started = datetime.now(UTC)

    def wanted(self, now: datetime) -> dict:
        minutes = (now - self.started).total_seconds() / 60
        names = list(self.host.ktes)
        found = {}
        for index, fault, first, on, period in WEATHER:
            if index < len(names):
                found.setdefault(names[index], {})[fault] = minutes >= first and (minutes - first) % period < on
        return found

    def run(self):
        while not self.stop.wait(self.tick):
            try:
                for name, faults in self.wanted(datetime.now(UTC)).items():
                    current = self.host.state(name)["faults"]
                    changes = {f: v for f, v in faults.items() if bool(current.get(f)) != v}
                    if changes:
                        self.host.set_faults(name, changes)
                        log.info("demo weather: %s %s", name, changes)
            except Exception:  # noqa: BLE001 - the demo's weather must never stop the demo
                log.exception("demo weather failed")
