"""Django's requests under ASGI (smart/ingest/asgi.py ThreadLender): served side by side, on kept threads that
keep their database connection between requests."""
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.conf import settings
from django.db import connection

from cabinet.fixtures import session_cookie
from smart.cabinet.dashboards import REGISTRY, Dashboard, Panel, register
from smart.ingest.asgi import close_db_connections, web_threads

pytestmark = pytest.mark.django_db(transaction=True)
SLUG = "fw-asgi"


def _backend(ctx):
    """Which thread served the panel and on which database session (PostgreSQL backend, SQLite handle)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_backend_pid()")
            session = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT 1")
            session = id(connection.connection)
    return {"value": f"{threading.get_ident()}:{session}"}


@pytest.fixture
def dashboard():
    meeting = threading.Barrier(2, timeout=20)

    def together(ctx):  # both requests must be inside their views at once, or this raises (HTTP 500)
        meeting.wait()
        return {"value": 1}

    register(Dashboard(SLUG, "ASGI threads", [Panel("a", "A", "stat", together), Panel("b", "B", "stat", together),
                                              Panel("who", "Who", "stat", _backend)]))
    yield
    REGISTRY.pop(SLUG, None)


def _get_all(cookie, paths, together):
    from smart.asgi import application

    async def go():
        transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://smart.test",
                                     cookies={settings.SESSION_COOKIE_NAME: cookie}) as client:
            if together:
                return await asyncio.gather(*(client.get(p, timeout=30) for p in paths))
            return [await client.get(p, timeout=30) for p in paths]

    try:  # a thread of its own: no event loop may run on the test's thread (Playwright in other modules)
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, go()).result()
    finally:
        close_db_connections()


def test_panel_requests_are_served_side_by_side(world, dashboard):
    cookie = session_cookie(world.a.dealer_admin)
    answers = _get_all(cookie, [f"/d/{SLUG}/panel/a.json", f"/d/{SLUG}/panel/b.json"], together=True)
    assert [r.status_code for r in answers] == [200, 200]
    assert [r.json()["value"] for r in answers] == [1, 1]


def test_requests_reuse_kept_threads_and_their_database_connections(world, dashboard):
    cookie = session_cookie(world.a.dealer_admin)
    answers = _get_all(cookie, [f"/d/{SLUG}/panel/who.json"] * 4, together=False)
    assert [r.status_code for r in answers] == [200] * 4
    seen = {r.json()["value"] for r in answers}
    assert len(seen) == 1, seen  # one after another: the same thread, the same database session


def test_closing_the_kept_connections(world, dashboard):
    cookie = session_cookie(world.a.dealer_admin)
    _get_all(cookie, [f"/d/{SLUG}/panel/who.json"], together=False)  # closes them on the way out

    def open_connection():
        return connection.connection is not None

    idle = list(web_threads._idle)
    assert idle and not any(ex.submit(open_connection).result(10) for ex in idle)
