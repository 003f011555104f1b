"""Shared cabinet test fixtures: a live SMART server, headless Chromium, pages that fail on console errors.

HOW TO USE (any tests/cabinet_<area>/ package; it needs an __init__.py like the other test folders):

    # tests/cabinet_<area>/conftest.py
    from cabinet.fixtures import *  # noqa: F401,F403  (live_url, browser, page, login_as, world, ...)

    # a test
    def test_home(page, live_url, login_as, world):
        login_as(page, world.a.dealer_admin)            # signed in through a real session cookie
        page.goto(live_url + "/")
        assert page.locator("h1").inner_text() == "Главная"
        # console errors (JS exceptions, failed requests) fail the test at teardown; check earlier with
        assert_no_console_errors(page)
        # a test that expects one: page.allow_console_error(r"404 \\(Not Found\\)")

`live_url` is pytest-django's live server (a thread in this process serving the project's WSGI app, static files
through the staticfiles finders, so /static/plotly/plotly.min.js works); it needs committed data, so tests using
it run with `transactional_db` (requested automatically). `world` builds two dealers with every role
(cabinet/users.py). `sign_in(page, live_url, username, password)` goes through the real login form.

Chromium: /usr/bin/chromium (Debian's package). Without it the browser tests are skipped, except under CI=true
where they fail (.ci/run installs it). Screenshots: `page.screenshot(path=...)`, then look at the PNG.
"""
import os
import re
from pathlib import Path

import pytest

from .users import PASSWORD, World

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
BROWSER_TZ = "UTC"  # deliberately not the users' zone: pages must show times in the user's zone, not the browser's

__all__ = ["CHROMIUM", "PASSWORD", "assert_no_console_errors", "browser", "launch_chromium", "live_url", "login_as",
           "page", "session_cookie", "sign_in", "world", "new_page"]


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def _require_chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing and CI=true: install Debian's chromium package (.ci/run does)")
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module.

    Module scope, not session: Playwright's sync API keeps its event loop marked as running on this thread until
    the `with` block ends, so a browser left open for the session breaks every later test that calls
    `asyncio.run` (the probes, the notifier); and each conftest importing this fixture would start a second
    Playwright inside the first one's loop."""
    _require_chromium()
    # The ORM calls made by the tests while Playwright's loop is open are still synchronous and safe, so Django's
    # async guard is switched off for the test process.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


def _watch_console(pg):
    pg.console_errors = []
    pg.allowed_console_errors = []

    def on_console(msg):
        if msg.type == "error":
            pg.console_errors.append(f"console: {msg.text} ({msg.location.get('url', '')})")

    def on_pageerror(exc):
        pg.console_errors.append(f"uncaught: {exc}")

    pg.on("console", on_console)
    pg.on("pageerror", on_pageerror)
    pg.allow_console_error = lambda pattern: pg.allowed_console_errors.append(re.compile(pattern))
    return pg


def assert_no_console_errors(pg):
    """Fail when the page logged an error or threw (minus the ones allowed with pg.allow_console_error)."""
    errors = [e for e in pg.console_errors if not any(p.search(e) for p in pg.allowed_console_errors)]
    assert not errors, "browser console errors:\n" + "\n".join(errors)


@pytest.fixture
def new_page(browser):
    """A factory of pages in fresh contexts (own cookies): `new_page(viewport=..., locale=...)`."""
    contexts = []

    def make(locale="ru-RU", timezone_id=BROWSER_TZ, viewport=None, **kw):
        ctx = browser.new_context(locale=locale, timezone_id=timezone_id,
                                  viewport=viewport or {"width": 1400, "height": 1000}, accept_downloads=True, **kw)
        ctx.set_default_timeout(30000)  # the test machine is shared and often loaded
        ctx.set_default_navigation_timeout(60000)
        contexts.append(ctx)
        return _watch_console(ctx.new_page())

    yield make
    for ctx in contexts:
        for pg in ctx.pages:
            assert_no_console_errors(pg)
        ctx.close()


@pytest.fixture
def page(new_page):
    """A Russian-speaking browser page in UTC; console errors fail the test."""
    return new_page()


@pytest.fixture
def live_url(live_server):
    return live_server.url


def session_cookie(user) -> str:
    """A real session for `user` (as if signed in), for a browser cookie or a raw HTTP client."""
    from django.test import Client

    c = Client()
    c.force_login(user)
    from django.conf import settings

    return c.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def login_as(live_url):
    """login_as(page, user): the page's context gets a signed-in session cookie for `user`."""
    from django.conf import settings

    def do(pg, user):
        pg.context.clear_cookies()
        pg.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(user),
                                 "url": live_url, "httpOnly": True, "sameSite": "Lax"}])
        return user

    return do


def sign_in(pg, live_url, username, password=PASSWORD, next_path="/"):
    """Through the login form, as a person does; returns the page after submitting."""
    pg.goto(f"{live_url}/login/?next={next_path}")
    pg.fill("input[name=username]", username)
    pg.fill("input[name=password]", password)
    pg.click("form.login-card button[type=submit]")
    pg.wait_for_load_state()
    return pg


@pytest.fixture
def world(db):
    """Two dealers with every role (see cabinet/users.py)."""
    return World.build()
