"""Sign-in: throttling, session expiry, the optional second factor (TOTP), preferences and starred dashboards."""
import re
from datetime import timedelta

import pyotp
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from cabinet.fixtures import sign_in
from cabinet.users import PASSWORD
from smart.cabinet.models import AuditEntry, LoginFailure, Preference

pytestmark = pytest.mark.django_db

LOCKED_RU = "Слишком много неудачных попыток входа. Повторите через 15 мин."


def _login(c, username, password, **extra):
    return c.post("/login/", {"username": username, "password": password}, **extra)


def test_five_failures_lock_the_username_with_the_message(world, settings):
    settings.SMART_LOGIN_MAX_FAILURES, settings.SMART_LOGIN_LOCK_S = 5, 900
    c = Client()
    user = world.a.manager
    for _ in range(5):
        r = _login(c, user.username, "wrong-password")
        assert r.status_code == 200 and LOCKED_RU not in r.content.decode()
    assert LoginFailure.objects.filter(username=user.username).count() == 5
    r = _login(c, user.username, PASSWORD)  # the right password no longer helps
    assert r.status_code == 200 and LOCKED_RU in r.content.decode()
    assert "_auth_user_id" not in c.session
    # another person from another address is not affected
    r = _login(Client(REMOTE_ADDR="10.0.0.9"), world.a.head.username, PASSWORD)
    assert r.status_code == 302
    # the lock ends with its window
    LoginFailure.objects.update(at=timezone.now() - timedelta(seconds=901))
    r = _login(c, user.username, PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/"


def test_an_address_is_locked_after_four_times_as_many_failures(world, settings):
    settings.SMART_LOGIN_MAX_FAILURES = 5
    c = Client(REMOTE_ADDR="10.1.1.1")
    for i in range(20):
        _login(c, f"nobody-{i}", "x")  # a different name each time: no username lock
    r = _login(c, world.a.head.username, PASSWORD)
    assert LOCKED_RU in r.content.decode()
    assert _login(Client(REMOTE_ADDR="10.1.1.2"), world.a.head.username, PASSWORD).status_code == 302


def test_session_expires_after_inactivity(world, settings):
    c = Client()
    assert _login(c, world.a.dealer_admin.username, PASSWORD).status_code == 302
    key = c.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(session_key=key).expire_date
    assert abs((first - timezone.now()).total_seconds() - settings.SESSION_COOKIE_AGE) < 60
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(seconds=30))
    assert c.get("/d/").status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date  # activity renews it (SESSION_SAVE_EVERY_REQUEST)
    assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    r = c.get("/d/")
    assert r.status_code == 302 and r["Location"].startswith("/login/?next=/d/")


def test_totp_enable_then_sign_in_asks_for_the_code(world):
    admin = world.a.dealer_admin
    c = Client()
    c.force_login(admin)
    page = c.get("/account/totp/").content.decode()
    secret = re.search(r"data-totp-secret>([A-Z2-7]+)<", page).group(1)
    uri = re.search(r"data-totp-uri>([^<]+)<", page).group(1).replace("&amp;", "&")
    assert uri.startswith("otpauth://totp/SMART:") and f"secret={secret}" in uri and "issuer=SMART" in uri
    r = c.post("/account/totp/", {"action": "enable", "code": "000000" if pyotp.TOTP(secret).now() != "000000"
                                  else "111111"})
    assert "Код неверный или устарел." in r.content.decode()
    assert not Preference.objects.get(user=admin).totp_secret
    r = c.post("/account/totp/", {"action": "enable", "code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302 and Preference.objects.get(user=admin).totp_secret == secret
    assert AuditEntry.objects.filter(user=admin, action="totp_on").exists()

    c = Client()
    r = _login(c, admin.username, PASSWORD, QUERY_STRING="next=/d/")
    assert r.status_code == 302 and r["Location"] == "/login/code/"
    assert "_auth_user_id" not in c.session  # the password alone does not sign in
    assert c.get("/d/").status_code == 302
    r = c.post("/login/code/", {"code": "12345"})
    assert "Код неверный или устарел." in r.content.decode() and "_auth_user_id" not in c.session
    r = c.post("/login/code/", {"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302 and r["Location"] == "/d/"
    assert int(c.session["_auth_user_id"]) == admin.pk
    # turning it off needs a code too
    r = c.post("/account/totp/", {"action": "disable", "code": "12"})
    assert Preference.objects.get(user=admin).totp_secret == secret
    c.post("/account/totp/", {"action": "disable", "code": pyotp.TOTP(secret).now()})
    assert Preference.objects.get(user=admin).totp_secret == ""


def test_code_step_counts_failures_and_expires(world, settings):
    settings.SMART_LOGIN_MAX_FAILURES = 5
    admin = world.b.dealer_admin
    secret = pyotp.random_base32()
    Preference.objects.create(user=admin, totp_secret=secret)
    c = Client()
    _login(c, admin.username, PASSWORD)
    for _ in range(5):
        c.post("/login/code/", {"code": "1"})
    r = c.post("/login/code/", {"code": pyotp.TOTP(secret).now()})
    assert LOCKED_RU in r.content.decode() and "_auth_user_id" not in c.session
    # a pending first step older than five minutes starts again at the password
    LoginFailure.objects.all().delete()
    c = Client()
    _login(c, admin.username, PASSWORD)
    s = c.session
    s["smart.totp_pending"]["at"] -= 301
    s.save()
    r = c.post("/login/code/", {"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302 and r["Location"] == "/login/"
    assert "_auth_user_id" not in c.session


@pytest.mark.django_db(transaction=True)
def test_totp_sign_in_in_the_browser(page, live_url, world):
    admin = world.a.dealer_admin
    secret = pyotp.random_base32()
    Preference.objects.create(user=admin, totp_secret=secret)
    sign_in(page, live_url, admin.username, next_path="/d/")
    page.wait_for_url(re.compile("/login/code/"))
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("form.login-card button[type=submit]")
    page.wait_for_url(re.compile(r"/d/$"))
    assert page.locator("h1").inner_text() == "Дашборды"


def test_preferences_zone_and_language(world):
    user = world.a.manager
    c = Client()
    c.force_login(user)
    r = c.post("/account/", {"time_zone": "Mars/Olympus", "language": "en"})
    assert "Выберите часовой пояс из списка." in r.content.decode()
    r = c.post("/account/", {"time_zone": "Asia/Omsk", "language": "en"})
    assert r.status_code == 302
    pref = Preference.objects.get(user=user)
    assert (pref.time_zone, pref.language) == ("Asia/Omsk", "en")
    assert r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = c.get("/account/").content.decode()
    assert "<h1>Preferences</h1>" in page  # English now
    assert re.search(r"<span data-tz>Asia/Omsk</span> \(UTC\+0600\)", page)  # the zone named, with its offset
    # the language follows the person to a new browser
    c2 = Client()
    r = _login(c2, user.username, PASSWORD)
    assert r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_starred_dashboards(world, test_dashboard):
    from smart.cabinet.dashboards import REGISTRY, Dashboard, register

    user = world.a.manager
    slug = test_dashboard.slug
    c = Client()
    c.force_login(user)
    r = c.post(f"/account/starred/{slug}/", {"next": f"/d/{slug}/"})
    assert r.status_code == 302 and r["Location"] == f"/d/{slug}/"
    assert Preference.objects.get(user=user).favourites == [slug]
    page = c.get("/d/").content.decode()
    assert f'href="/d/{slug}/" data-starred' in page
    r = c.post(f"/account/starred/{slug}/", {"next": "https://evil.example/"})
    assert r["Location"] == f"/d/{slug}/"  # never an outside address
    assert Preference.objects.get(user=user).favourites == []
    assert c.post("/account/starred/no-such-dashboard/").status_code == 404
    register(Dashboard("fw-business", "Money", test_dashboard.panels, business=True))
    try:  # a technician can neither star nor open business analytics
        t = Client()
        t.force_login(world.a.technician)
        assert t.post("/account/starred/fw-business/").status_code == 404
        assert t.get("/d/fw-business/").status_code == 404
        assert c.get("/d/fw-business/").status_code == 200
    finally:
        REGISTRY.pop("fw-business", None)
