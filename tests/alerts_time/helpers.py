"""Real inputs for the time-driven alert tests: an online access on the stand-in read by the real scraper,
hand-built counter history through store_online, and reports through ingest and the pipeline."""
import asyncio
import itertools
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from smart.alerts.models import Alert
from smart.probes.online import OnlineTarget, scrape_billing, store_online
from smart.probes.results import Result

UTC = timezone.utc
MOSCOW = ZoneInfo("Europe/Moscow")
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
LIMITS = {"documents": 1000, "search": 500, "print": 300, "export": 300}
_names = itertools.count(1)


def local(zone, *args) -> datetime:
    """An aware time given as the wall clock of `zone`."""
    return datetime(*args, tzinfo=zone)


class OnlineSite:
    """One stand-in online host with one account, and the registry's online access pointing at it."""

    def __init__(self, host, settings, client, login: str = "acme"):
        from smart.registry.models import OnlineAccess

        self.host, self.name, self.login = host, f"time-online-{next(_names)}", login
        host.add_online(self.name, accounts=[{"login": login, "password": f"pw-{login}", "folder": "docs1",
                                              "limits": dict(LIMITS)}])
        registered = f"{self.name}.kodeks.ru"
        settings.SMART_CONNECT_TO = {**settings.SMART_CONNECT_TO, f"{registered}:443": host.url(self.name, kind="online")}
        created = OnlineAccess.objects.create(dealer=client.dealer, client=client, firm=client.display_name, login=login,
                                              password=f"pw-{login}", host=registered, folder="docs1")
        self.access = OnlineAccess.objects.get(pk=created.pk)  # the password back decrypted

    def start_month(self, instant: datetime) -> None:
        """Move the site's clock to `instant`, in a month whose counters are full (the site resets them when
        its clock enters a new month)."""
        self.host.set_now(self.name, instant - timedelta(days=40))
        self.host.set_now(self.name, instant)

    def left(self, counter: str = "documents") -> int:
        return self.host.state(self.name)["accounts"][self.login]["counters"][counter]["left"]

    def spend_to(self, **left) -> None:
        """Simulated use until each named counter has exactly `left` units."""
        self.host.use(self.name, self.login, **{k: self.left(k) - v for k, v in left.items()})

    def scrape_result(self) -> Result:
        """The real scraper reads the counters (nothing stored)."""
        result = asyncio.run(scrape_billing(OnlineTarget.from_access(self.access)))
        assert result.ok, result.detail
        return result

    def scrape(self, at: datetime | None = None) -> Result:
        """The real scraper reads the counters; stored as if read at `at` (the test's clock)."""
        result = self.scrape_result()
        if at is not None:
            result.at = at
        store_online([result])
        return result


def reading(access, at: datetime, limit: int | None = None, **left) -> None:
    """A hand-built counter reading (as the scraper's result would be stored): documents etc. left, and
    the documents limit when not the usual one."""
    limits = {**LIMITS, "documents": limit or LIMITS["documents"]}
    data = {k: {"left": left.get(k, limits[k]), "limit": limits[k]} for k in limits}
    store_online([Result(check="billing", ok=True, at=at, dealer_id=access.dealer_id, online_access_id=access.pk,
                         data=data)])


def state(rule: str, key: str) -> str | None:
    found = Alert.objects.filter(rule=rule, object_key=key).first()
    return found.state if found else None


def alert(rule: str, key: str) -> Alert | None:
    return Alert.objects.filter(rule=rule, object_key=key).first()


def trap_site(location: str = "/docs1/document/1"):
    """A vendor site whose login leads to a billable page (`location`): what the billing guard must refuse."""
    from smart.simulator.standin.http import html, redirect

    async def handle(request):
        if request.path == "/docs1/login" and request.method == "POST":
            return redirect(location, [("Set-Cookie", "OSESSION=t; Path=/")])
        if request.path == "/docs1/login":
            return html('<form id="login-form"><input name="login"><input name="password"></form>')
        return html("<p>one unit spent</p>")
    return handle


def scrape_trap(access, settings, location: str = "/docs1/document/1") -> Result:
    """The real scraper against a trap site standing in for the access's host."""
    from smart.simulator.standin.http import Listener

    async def go():
        listener = Listener(trap_site(location))
        port = await listener.start()
        settings.SMART_CONNECT_TO = {**settings.SMART_CONNECT_TO, f"{access.host}:443": f"http://127.0.0.1:{port}"}
        try:
            return await scrape_billing(OnlineTarget.from_access(access))
        finally:
            await listener.stop()
    return asyncio.run(go())
